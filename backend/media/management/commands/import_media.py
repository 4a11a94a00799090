"""manage.py import_media --project NAME PATH... : import image or video files and folders."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from backend.media.services import media_ingest
from backend.media.validation import MediaRejected, sniff
from backend.projects.selectors import project_by_name
from backend.projects.services import project_create

SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".mp4", ".mov", ".m4v", ".webm", ".mkv", ".avi"}


class Command(BaseCommand):
    help = "Import images or videos (files or folders) into a project, creating the project if needed."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--project", required=True, help="project name (created when missing)")
        parser.add_argument(
            "--kind", choices=["image", "video"], help="kind of a new project (default: from the files)"
        )
        parser.add_argument("--user", help="username recorded as creator (default: first superuser)")
        parser.add_argument("--categories", default="", help="comma-separated categories of a new project")

    def handle(self, *args, **options):
        files = self._collect(options["paths"])
        if not files:
            raise CommandError("no image or video files found")
        user = self._user(options.get("user"))
        project = project_by_name(options["project"])
        if project is None:
            kind = options.get("kind") or self._guess_kind(files[0])
            categories = [c.strip() for c in options["categories"].split(",") if c.strip()]
            project = project_create(user=user, name=options["project"], kind=kind, categories=categories)
            self.stdout.write(f"created {kind} project {project.name!r} (id {project.pk})")
        created = existing = rejected = 0
        for path in tqdm(files, desc=f"importing into {project.name}", unit="file", disable=options["verbosity"] == 0):
            try:
                with path.open("rb") as stream:
                    [(_item, was_created)] = media_ingest(project=project, uploads=[(stream, path.name)], user=user)
            except MediaRejected as exc:
                rejected += 1
                self.stderr.write(f"rejected {path}: {exc}")
                continue
            created += was_created
            existing += not was_created
        self.stdout.write(f"{created} imported, {existing} already present, {rejected} rejected")
        if rejected and not (created or existing):
            raise CommandError("every file was rejected")

    def _collect(self, paths: list[Path]) -> list[Path]:
        found: list[Path] = []
        for path in paths:
            if path.is_dir():
                found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES))
            elif path.is_file():
                found.append(path)
            else:
                raise CommandError(f"{path} does not exist")
        return found

    def _guess_kind(self, path: Path) -> str:
        with path.open("rb") as stream:
            found = sniff(stream.read(16))
        if found is None:
            raise CommandError(f"{path} is neither a supported image nor a video")
        return found[0]

    def _user(self, username: str | None):
        users = get_user_model().objects
        if username:
            user = users.filter(username=username).first()
            if user is None:
                raise CommandError(f"no user {username!r}")
            return user
        return users.filter(is_superuser=True).order_by("id").first()
