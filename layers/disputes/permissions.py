from rest_framework.permissions import SAFE_METHODS, BasePermission

from layers.access import policy
from layers.disputes.apps import LAYER


class DisputePermission(BasePermission):
    """Reads need a credential (disputes are never public); a write needs the permission to
    add or change the record the action writes (`view.written_model`)."""

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return policy.can_read(request, LAYER)
        return policy.can_write(request, LAYER, view.written_model(), request.method)
