"""REST resource of the playground (the same actions as the websocket, the same service).

POST   /api/playground/sessions/                 {"config": {...}, "model": id?, "experiment": id?}
GET    /api/playground/sessions/<id>/             full state
POST   /api/playground/sessions/<id>/actions/     {"action": ...} -> the same reply as the socket
DELETE /api/playground/sessions/<id>/             close it
GET    /api/playground/options/                   datasets, features, activations, limits
GET/POST /api/playground/experiments/  GET/DELETE /api/playground/experiments/<id>/
GET/POST /api/playground/classroom-links/  GET/DELETE /api/playground/classroom-links/<id or token>/

Replies are JSON written by orjson (numbers exactly as the engine computed them); heavy arrays
of a frame come base64-encoded (frames.encode_arrays_b64). "play" over REST runs one frame's
worth of training per call (poll it while playing); "pause" stops.
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import PermissionDenied, Throttled
from rest_framework.permissions import AllowAny
from rest_framework.serializers import Serializer
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from nnweb.core.serializers import ErrorResponseSerializer
from nnweb.core.throttles import BurstRateThrottle

from . import actions, classroom, experiments, features, frames, selectors, store
from . import config as cfgmod
from . import data as datamod
from . import responses as out
from . import serializers as ser
from .controls import HIDEABLE_CONTROLS
from .errors import as_api_exception, is_anonymous
from .messages import PlaygroundStateMessageSerializer
from .permissions import (
    InstructorsMakeClassroomLinks,
    OwnerDeletesClassroomLink,
    SignedInToKeepExperiments,
)
from .session import PlaygroundSession
from .throttles import SessionActionThrottle, message_rate

# The refusals a view may answer besides the validation errors, 404 and 429 that
# drf-standardized-errors documents on its own.
REFUSED = {403: ErrorResponseSerializer}
CONFLICT = {409: ErrorResponseSerializer}  # a stage out of order, a busy or diverged session


def _json(data, status: int = 200) -> HttpResponse:
    return HttpResponse(frames.dumps(data), status=status, content_type="application/json")


def _body(request, serializer: type[Serializer], **context) -> dict:
    """The request body checked by ``serializer`` (a ValidationError naming the field)."""
    form = serializer(data=request.data, context={"request": request, **context})
    form.is_valid(raise_exception=True)
    return form.validated_data


class PlaygroundView(APIView):
    """The playground's refusals answered in the API's one error shape (errors.py)."""

    def handle_exception(self, exc):
        return super().handle_exception(as_api_exception(exc))

    def permission_denied(self, request, message=None, code=None):
        """A refusal says what to do ("sign in to save experiments"), to a visitor as well:
        DRF would answer an anonymous one "credentials were not provided"."""
        raise PermissionDenied(detail=message, code=code)


class OptionsView(PlaygroundView):
    permission_classes = [AllowAny]  # what the controls offer; the limits are the caller's

    @extend_schema(
        operation_id="playground_options",
        summary="Datasets, input features, activations, initialisers and the limits in force",
        request=None,
        responses=out.PlaygroundOptionsSerializer,
    )
    def get(self, request):
        anonymous = not request.user.is_authenticated
        datasets = [
            {"name": name, "problem": p, "description": d} for name, (p, d) in datamod.TOYS.items()
        ]
        for ds in selectors.uploaded_datasets(request.user):
            datasets.append(
                {"name": f"dataset:{ds.pk}", "problem": ds.task, "description": ds.name}
            )
        return _json(
            {
                "datasets": datasets,
                "features": [{"name": n, "label": features.LABELS[n]} for n in features.FEATURES],
                "activations": list(cfgmod.HIDDEN_ACTIVATIONS),
                "problems": list(cfgmod.PROBLEMS),
                "inits": list(cfgmod.INITS),
                "limits": cfgmod.limits(anonymous),
                "defaults": cfgmod.Config().to_dict(),
                "hideable": list(HIDEABLE_CONTROLS),
            }
        )


class SessionListView(PlaygroundView):
    # Visitors too, within the anonymous limits (the settings' serializer); a session is its
    # opener's (store.get).
    permission_classes = [AllowAny]
    throttle_classes = [*api_settings.DEFAULT_THROTTLE_CLASSES, BurstRateThrottle]

    @extend_schema(
        operation_id="playground_session_create",
        summary=(
            'Open a playground session: {"config": {...}} or {"experiment": id} or {"model": '
            'id} or {"classroom": token, "config": {...}}; returns its full state'
        ),
        request=ser.SessionCreateSerializer,
        responses={201: PlaygroundStateMessageSerializer, **REFUSED},
    )
    def post(self, request):
        body = _body(request, ser.SessionCreateSerializer, anonymous=is_anonymous(request.user))
        if body.get("experiment") is not None:
            session = experiments.open_experiment(request.user, body["experiment"])
        elif body.get("classroom") is not None:
            session = classroom.open_classroom(
                request.user, body["classroom"], body.get("config") or {}
            )
        else:
            session = store.save(
                PlaygroundSession.create(
                    body.get("config") or {}, user=request.user, model_id=body.get("model")
                )
            )
        return _json(session.state(), 201)


class SessionView(PlaygroundView):
    # Visitors too, within the anonymous limits (the settings' serializer); a session is its
    # opener's (store.get).
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="playground_session_state",
        summary=(
            "The full state of a session: config, network, weights, data, stage numbers, history"
        ),
        request=None,
        responses={200: PlaygroundStateMessageSerializer, **REFUSED},
    )
    def get(self, request, session_id):
        session = store.get(session_id, request.user)
        with session.lock:
            return _json(session.state())

    @extend_schema(
        operation_id="playground_session_close",
        summary="Close a session",
        request=None,
        responses={204: None, **REFUSED},
    )
    def delete(self, request, session_id):
        session = store.get(session_id, request.user)
        session.playing = False
        store.delete(session.id)
        return HttpResponse(status=204)


class ActionView(PlaygroundView):
    # Visitors too, within the anonymous limits (the settings' serializer); a session is its
    # opener's (store.get).
    permission_classes = [AllowAny]
    # Each session has its own action rate (the socket's), not the site-wide API one.
    throttle_classes = [SessionActionThrottle]

    def throttled(self, request, wait):
        raise Throttled(
            wait,
            detail=f"Too many requests: at most {message_rate()} actions per second on one "
            "session. Wait a moment and try again.",
        )

    @extend_schema(
        operation_id="playground_session_action",
        summary=(
            'Run one action ({"action": "forward" | "backward" | "update" | "next" | "step" |'
            ' "batch" | "epoch" | "play" | "pause" | "reset" | "set_param" | "gradcheck" | '
            '"configure" | "select" | "add_point" | "remove_point" | "frame" | "state" | '
            '"save", ...}); the same reply as over the websocket'
        ),
        request=actions.request_schema(),
        responses={200: out.ACTION_REPLY, **REFUSED, **CONFLICT},
    )
    def post(self, request, session_id):
        session = store.get(session_id, request.user)
        msg = request.data
        reply = actions.dispatch(session, msg, request.user)
        if reply.play == "start":
            # Over REST, "play" trains one frame's worth per call (poll it while playing),
            # on the authoritative state like any action: scaled out, under its lock.
            with session.lock, store.acting(session):
                reply.frame = session.play_step() or reply.frame
        store.save(session)
        if reply.frame is not None and reply.frame[0].get("type") == "error":
            # training stopped by a refusal (a diverged loss): a 409 like any state refusal
            return _json({"type": "client_error", "errors": reply.frame[0]["errors"]}, 409)
        body = reply.body if reply.frame is None else _frame_json(*reply.frame)
        if isinstance(msg.get("id"), str | int):
            body["id"] = msg["id"]
        return _json(body)


def _frame_json(meta: dict, arrays: dict) -> dict:
    """A frame over REST: its meta with the arrays base64-encoded (frames.encode_arrays_b64)."""
    return {**meta, "arrays": frames.encode_arrays_b64(arrays)}


class ExperimentListView(PlaygroundView):
    permission_classes = [SignedInToKeepExperiments]

    @extend_schema(
        operation_id="playground_experiments_list",
        summary="Your saved experiments",
        request=None,
        responses=out.ExperimentListSerializer,
    )
    def get(self, request):
        return _json({"experiments": selectors.list_experiments(request.user)})

    @extend_schema(
        operation_id="playground_experiment_save",
        summary='Save a session as an experiment: {"session": id, "name": ...}',
        request=ser.ExperimentSaveSerializer,
        responses={201: out.ExperimentSavedSerializer, **REFUSED, 404: ErrorResponseSerializer},
    )
    def post(self, request):
        """Save a session: {"session": id, "name": ..., "experiment": id to overwrite?}."""
        body = _body(request, ser.ExperimentSaveSerializer)
        session = store.get(body["session"], request.user)
        reply = experiments.save_experiment(
            session, request.user, body["name"], body.get("experiment")
        )
        return _json(reply, 201)


class ExperimentView(PlaygroundView):
    permission_classes = [SignedInToKeepExperiments]

    @extend_schema(
        operation_id="playground_experiment_detail",
        summary="One saved experiment with its settings, network, weights and history",
        request=None,
        responses=out.ExperimentDetailSerializer,
    )
    def get(self, request, pk):
        exp = selectors.get_experiment(request.user, pk)
        return _json(
            {
                **exp.summary(),
                "config": exp.config,
                "network": exp.network,
                "params": exp.params,
                "history": exp.history,
            }
        )

    @extend_schema(
        operation_id="playground_experiment_delete",
        summary="Delete one of your experiments",
        request=None,
        responses={204: None},
    )
    def delete(self, request, pk):
        experiments.delete_experiment(request.user, pk)
        return HttpResponse(status=204)


class ClassroomLinkListView(PlaygroundView):
    permission_classes = [InstructorsMakeClassroomLinks]

    @extend_schema(
        operation_id="playground_classroom_links_list",
        summary="Your classroom links",
        request=None,
        responses=out.ClassroomLinkListSerializer,
    )
    def get(self, request):
        return _json({"links": [k.as_dict() for k in selectors.classroom_links(request.user)]})

    @extend_schema(
        operation_id="playground_classroom_link_create",
        summary=(
            'Instructors: make a classroom link {"config": {...}, "hide": [controls], "title": ...}'
        ),
        request=ser.ClassroomLinkCreateSerializer,
        responses={201: out.ClassroomLinkSerializer, **REFUSED},
    )
    def post(self, request):
        body = _body(request, ser.ClassroomLinkCreateSerializer)  # students may be anonymous
        link = classroom.create_classroom_link(
            request.user, body.get("config"), body.get("hide", []), body.get("title", "")
        )
        return _json(link, 201)


class ClassroomLinkView(PlaygroundView):
    permission_classes = [OwnerDeletesClassroomLink]

    @extend_schema(
        operation_id="playground_classroom_link_detail",
        summary="A classroom link's settings and hidden controls (by token)",
        request=None,
        responses=out.ClassroomLinkSerializer,
    )
    def get(self, request, token):
        return _json(selectors.get_classroom_link(token).as_dict())

    @extend_schema(
        operation_id="playground_classroom_link_delete",
        summary="Delete one of your classroom links",
        request=None,
        responses={204: None, **REFUSED},
    )
    def delete(self, request, token):
        link = selectors.get_classroom_link(token)
        self.check_object_permissions(request, link)
        link.delete()
        return HttpResponse(status=204)
