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
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import Throttled
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from nnweb.core.throttles import BurstRateThrottle

from . import actions, classroom, experiments, features, frames, store
from . import config as cfgmod
from . import data as datamod
from .config import ConfigError
from .controls import HIDEABLE_CONTROLS
from .errors import PlaygroundError, error_reply
from .session import PlaygroundSession
from .throttles import SessionActionThrottle, message_rate

STATUS = {"not_found": 404, "forbidden": 403, "rate_limited": 429, "limit": 403}


def _json(data, status: int = 200) -> HttpResponse:
    return HttpResponse(frames.dumps(data), status=status, content_type="application/json")


def _error(exc: Exception) -> HttpResponse:
    if isinstance(exc, ConfigError | PlaygroundError):
        reply = error_reply(exc)
        return _json(reply, STATUS.get(reply["code"], 400))
    raise exc


def _body(request) -> dict:
    data = request.data
    if not isinstance(data, dict):
        raise PlaygroundError("send a JSON object")
    return data


class OptionsView(APIView):
    @extend_schema(
        operation_id="playground_options",
        summary="Datasets, input features, activations, initialisers and the limits in force",
        request=None,
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        anonymous = not request.user.is_authenticated
        datasets = [
            {"name": name, "problem": p, "description": d} for name, (p, d) in datamod.TOYS.items()
        ]
        try:
            from nnweb.datasets.services import visible_datasets

            for ds in visible_datasets(request.user).exclude(kind="instance_segmentation")[:100]:
                datasets.append(
                    {
                        "name": f"dataset:{ds.pk}",
                        "problem": getattr(ds, "task", None),
                        "description": str(getattr(ds, "name", ds.pk)),
                    }
                )
        except Exception:  # noqa: BLE001 - the toys are always there
            pass
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


class SessionListView(APIView):
    throttle_classes = [*api_settings.DEFAULT_THROTTLE_CLASSES, BurstRateThrottle]

    @extend_schema(
        operation_id="playground_session_create",
        summary=(
            'Open a playground session: {"config": {...}} or {"experiment": id} or {"model": '
            'id} or {"classroom": token, "config": {...}}; returns its full state'
        ),
        request=OpenApiTypes.OBJECT,
        responses=OpenApiTypes.OBJECT,
    )
    def post(self, request):
        try:
            body = _body(request)
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
        except (ConfigError, PlaygroundError) as exc:
            return _error(exc)
        return _json(session.state(), 201)


class SessionView(APIView):
    @extend_schema(
        operation_id="playground_session_state",
        summary=(
            "The full state of a session: config, network, weights, data, stage numbers, history"
        ),
        request=None,
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request, session_id):
        try:
            session = store.get(session_id, request.user)
            with session.lock:
                return _json(session.state())
        except PlaygroundError as exc:
            return _error(exc)

    @extend_schema(
        operation_id="playground_session_close",
        summary="Close a session",
        request=None,
        responses=OpenApiTypes.OBJECT,
    )
    def delete(self, request, session_id):
        try:
            session = store.get(session_id, request.user)
        except PlaygroundError as exc:
            return _error(exc)
        session.playing = False
        store.delete(session.id)
        return HttpResponse(status=204)


class ActionView(APIView):
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
        request=OpenApiTypes.OBJECT,
        responses=OpenApiTypes.OBJECT,
    )
    def post(self, request, session_id):
        try:
            session = store.get(session_id, request.user)
            msg = _body(request)
            reply = actions.dispatch(session, msg, request.user)
            if reply.play == "start":
                # Over REST, "play" trains one frame's worth per call (poll it while playing),
                # on the authoritative state like any action: scaled out, under its lock.
                with session.lock, store.acting(session):
                    reply.frame = session.play_step() or reply.frame
        except (ConfigError, PlaygroundError) as exc:
            return _error(exc)
        store.save(session)
        body = reply.body if reply.frame is None else _frame_json(*reply.frame)
        if isinstance(msg.get("id"), str | int):
            body["id"] = msg["id"]
        return _json(body)


def _frame_json(meta: dict, arrays: dict) -> dict:
    """A frame over REST: its meta with the arrays base64-encoded (frames.encode_arrays_b64)."""
    return {**meta, "arrays": frames.encode_arrays_b64(arrays)}


class ExperimentListView(APIView):
    @extend_schema(
        operation_id="playground_experiments_list",
        summary="Your saved experiments",
        request=None,
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        return _json({"experiments": experiments.list_experiments(request.user)})

    @extend_schema(
        operation_id="playground_experiment_save",
        summary='Save a session as an experiment: {"session": id, "name": ...}',
        request=OpenApiTypes.OBJECT,
        responses=OpenApiTypes.OBJECT,
    )
    def post(self, request):
        """Save a session: {"session": id, "name": ..., "experiment": id to overwrite?}."""
        try:
            body = _body(request)
            session = store.get(str(body.get("session")), request.user)
            reply = experiments.save_experiment(
                session, request.user, body.get("name"), body.get("experiment")
            )
        except PlaygroundError as exc:
            return _error(exc)
        return _json(reply, 201)


class ExperimentView(APIView):
    @extend_schema(
        operation_id="playground_experiment_detail",
        summary="One saved experiment with its settings, network, weights and history",
        request=None,
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request, pk):
        try:
            exp = experiments.get_experiment(request.user, pk)
        except PlaygroundError as exc:
            return _error(exc)
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
        responses=OpenApiTypes.OBJECT,
    )
    def delete(self, request, pk):
        try:
            experiments.delete_experiment(request.user, pk)
        except PlaygroundError as exc:
            return _error(exc)
        return HttpResponse(status=204)


class ClassroomLinkListView(APIView):
    @extend_schema(
        operation_id="playground_classroom_links_list",
        summary="Your classroom links",
        request=None,
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        from .models import ClassroomLink

        if not request.user.is_authenticated:
            return _json({"links": []})
        return _json(
            {"links": [k.as_dict() for k in ClassroomLink.objects.filter(owner=request.user)]}
        )

    @extend_schema(
        operation_id="playground_classroom_link_create",
        summary=(
            'Instructors: make a classroom link {"config": {...}, "hide": [controls], "title": ...}'
        ),
        request=OpenApiTypes.OBJECT,
        responses=OpenApiTypes.OBJECT,
    )
    def post(self, request):
        try:
            body = _body(request)
            link = classroom.create_classroom_link(
                request.user, body.get("config"), body.get("hide", []), body.get("title", "")
            )
        except (ConfigError, PlaygroundError) as exc:
            return _error(exc)
        return _json(link, 201)


class ClassroomLinkView(APIView):
    @extend_schema(
        operation_id="playground_classroom_link_detail",
        summary="A classroom link's settings and hidden controls (by token)",
        request=None,
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request, token):
        try:
            return _json(classroom.get_classroom_link(token).as_dict())
        except PlaygroundError as exc:
            return _error(exc)

    @extend_schema(
        operation_id="playground_classroom_link_delete",
        summary="Delete one of your classroom links",
        request=None,
        responses=OpenApiTypes.OBJECT,
    )
    def delete(self, request, token):
        try:
            link = classroom.get_classroom_link(token)
        except PlaygroundError as exc:
            return _error(exc)
        if link.owner_id != getattr(request.user, "pk", None):
            return _error(PlaygroundError("not your classroom link", code="forbidden"))
        link.delete()
        return HttpResponse(status=204)
