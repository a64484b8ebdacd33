"""Every app's websocket routes (paths start with ws/<app>/).

Apps add routes in their own routing.py; this file only aggregates them.
"""

from nnweb.accounts.routing import websocket_urlpatterns as accounts_ws
from nnweb.classes.routing import websocket_urlpatterns as classes_ws
from nnweb.core.routing import websocket_urlpatterns as core_ws
from nnweb.datasets.routing import websocket_urlpatterns as datasets_ws
from nnweb.lessons.routing import websocket_urlpatterns as lessons_ws
from nnweb.modelzoo.routing import websocket_urlpatterns as modelzoo_ws
from nnweb.playground.routing import websocket_urlpatterns as playground_ws
from nnweb.segmentation.routing import websocket_urlpatterns as segmentation_ws
from nnweb.training.routing import websocket_urlpatterns as training_ws

websocket_urlpatterns = [
    *core_ws,
    *accounts_ws,
    *playground_ws,
    *datasets_ws,
    *training_ws,
    *modelzoo_ws,
    *segmentation_ws,
    *lessons_ws,
    *classes_ws,
]
