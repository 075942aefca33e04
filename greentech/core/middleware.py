"""Request middleware of the portal."""


class PortalLanguageMiddleware:
    """Chinese first: portal pages are in zh-hans unless the visitor chose English with the header's switch
    (the language cookie); the browser's Accept-Language is only honoured by the API."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
