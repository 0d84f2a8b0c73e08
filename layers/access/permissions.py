from rest_framework.permissions import SAFE_METHODS, BasePermission

from layers.access import policy


class LayerPermission(BasePermission):
    """Reads and writes of `view.layer`, decided by the access policy."""

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return policy.can_read(request, view.layer)
        return policy.can_write(request, view.layer, view.queryset.model, request.method)
