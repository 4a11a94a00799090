"""manage.py import_sa1b --project NAME ARCHIVE.tar : import SA-1B files (and their images)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from backend.core.errors import InvalidInput
from backend.exports.sa1b_import import import_sa1b
from backend.projects.models import Project
from backend.projects.selectors import project_by_name
from backend.projects.services import project_create


class Command(BaseCommand):
    help = "Import an SA-1B archive (sa_<id>.json files with their images) into an image project."

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--project", required=True, help="project name (created when missing)")

    def handle(self, *args, **options):
        try:
            with transaction.atomic():  # a refused archive leaves no new project behind
                project = project_by_name(options["project"])
                if project is None:
                    project = project_create(user=None, name=options["project"], kind=Project.Kind.IMAGE)
                result = import_sa1b(project=project, path=options["archive"])
        except InvalidInput as exc:
            raise CommandError(f"refused, nothing imported: {exc}") from exc
        self.stdout.write(
            f"{result.images_created} images and {result.masks_created} masks imported "
            f"({result.images_existing} images and {result.masks_existing} masks already there)"
        )
