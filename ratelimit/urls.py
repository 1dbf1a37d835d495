from core.routing import route
from ratelimit.views import RateLimitView

urlpatterns = [route("rate-limit", RateLimitView.as_view(), "rate-limit")]
