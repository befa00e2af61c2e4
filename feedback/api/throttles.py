from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle


class AnonReportThrottle(AnonRateThrottle):
    """Anonymous report creation, per client IP; rate from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["anon_report"].

    The rate is read on each request (not at import), so settings overrides apply.
    """

    scope = "anon_report"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
