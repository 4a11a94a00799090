from django.contrib import admin

from backend.idempotency.models import IdempotentRequest


@admin.register(IdempotentRequest)
class IdempotentRequestAdmin(admin.ModelAdmin):
    list_display = ["key", "user", "path", "status_code", "created_at", "expires_at"]
    search_fields = ["key", "path"]
    readonly_fields = ["user", "key", "fingerprint", "path", "status_code", "body", "created_at", "expires_at"]
