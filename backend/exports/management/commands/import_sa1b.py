"""manage.py import_sa1b --project NAME ARCHIVE.tar : import SA-1B files (and their images)."""

from django.core.management.base import BaseCommand, CommandError
from rest_framework.exceptions import ValidationError

from backend.exports.sa1b import import_sa1b
from backend.media.models import Project
from backend.media.services import project_create


class Command(BaseCommand):
    help = "Import an SA-1B archive (sa_<id>.json files with their images) into an image project."

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--project", required=True, help="project name (created when missing)")

    def handle(self, *args, **options):
        project = Project.objects.filter(name=options["project"]).first()
        if project is None:
            project = project_create(user=None, name=options["project"], kind=Project.Kind.IMAGE)
        try:
            result = import_sa1b(project=project, path=options["archive"])
        except ValidationError as exc:
            raise CommandError(f"refused, nothing imported: {exc.detail}") from exc
        self.stdout.write(
            f"{result.images_created} images and {result.masks_created} masks imported "
            f"({result.images_existing} images and {result.masks_existing} masks already there)"
        )
