from django.contrib import admin

from backend.projects.models import Category, Membership, Project


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "kind", "stage", "annotation_fps", "created_at"]
    list_filter = ["kind", "stage"]
    search_fields = ["name"]
    inlines = [CategoryInline]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["id", "project", "name", "color"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "project", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "project__name"]
