"""manage.py export --project NAME --format coco --out PATH (streamed, with a progress bar)."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from backend.exports.models import ExportJob
from backend.exports.selection import ExportRefused
from backend.exports.services import UNCATEGORISED, export_to_path
from backend.projects.selectors import project_by_name


class Command(BaseCommand):
    help = "Export a project's masks to a file."

    def add_arguments(self, parser):
        parser.add_argument("--project", required=True)
        parser.add_argument("--format", required=True, choices=ExportJob.Format.values)
        parser.add_argument("--out", required=True)
        parser.add_argument("--all", action="store_true", help="include proposed and rejected masks")
        parser.add_argument("--frames", action="store_true", help="sav: also write the 24 fps frames as JPEGs")
        parser.add_argument(
            "--uncategorised",
            default=UNCATEGORISED,
            help="coco: the category masks without one are exported under (default %(default)s); '' leaves them out",
        )

    def handle(self, *args, **options):
        project = project_by_name(options["project"])
        if project is None:
            raise CommandError(f"no project named {options['project']!r}")
        with tqdm(total=100, desc=f"{options['format']} export", unit="%", disable=options["verbosity"] == 0) as bar:

            def progress(fraction: float) -> None:
                bar.update(int(fraction * 100) - bar.n)

            try:
                counts = export_to_path(
                    project,
                    options["format"],
                    options["out"],
                    include_all=options["all"],
                    frames=options["frames"],
                    uncategorised=options["uncategorised"],
                    progress=progress,
                )
            except ExportRefused as exc:
                raise CommandError(str(exc)) from exc
            bar.update(100 - bar.n)
        what = ", ".join(f"{n} {key}" for key, n in counts.items())
        self.stdout.write(f"wrote {what} to {options['out']}")
