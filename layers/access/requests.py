from layers.access.authentication import ApiTokenAuthentication


def authenticate(request) -> None:
    """Lets an API token, when one is sent, stand for the user of a plain Django view's request.

    Raises rest_framework's AuthenticationFailed for an unknown or expired token.
    """
    result = ApiTokenAuthentication().authenticate(request)
    if result is None:
        request.auth = None
    else:
        request.user, request.auth = result
