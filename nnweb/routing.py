"""Every app's websocket routes (paths start with ws/<app>/).

Apps with websocket consumers (core, playground, training, classes) declare their routes in
their own routing.py; this file only aggregates them. An app without consumers has no routing.py.
"""

from nnweb.classes.routing import websocket_urlpatterns as classes_ws
from nnweb.core.routing import websocket_urlpatterns as core_ws
from nnweb.playground.routing import websocket_urlpatterns as playground_ws
from nnweb.training.routing import websocket_urlpatterns as training_ws

websocket_urlpatterns = [
    *core_ws,
    *playground_ws,
    *training_ws,
    *classes_ws,
]
