# The rollup table and, on PostgreSQL, the statement triggers that keep it (see MaskRollup).

from django.db import migrations, models

MASKS, IMAGES, ROLLUP = "annotations_mask", "media_image", "annotations_maskrollup"
KEY = ("image_id", "day", "stage", "annotator_id", "model_version")
COUNTERS = (
    "total", "kept", "person", "person_seconds", "person_clicks", "decided", "unchanged", "decided_seconds",
)  # fmt: skip
KEPT = "r.status IN ('submitted', 'accepted')"
PERSON = "r.source IN ('manual', 'assisted')"
DECIDED = "r.source = 'auto' AND r.status IN ('submitted', 'accepted', 'rejected') AND r.updated_by_id IS NOT NULL"


def groups(rows: str, with_project: bool) -> str:
    """The counters of the masks in `rows`, per rollup key (and project)."""
    project = "i.project_id, " if with_project else ""
    join = f"JOIN {IMAGES} i ON i.id = r.image_id" if with_project else ""
    return f"""
        SELECT {project}r.image_id, (r.created_at AT TIME ZONE 'UTC')::date AS day, r.stage,
               COALESCE(r.updated_by_id, r.created_by_id, 0) AS annotator_id, r.model_version,
               COUNT(*) AS total,
               COUNT(*) FILTER (WHERE {KEPT}) AS kept,
               COUNT(*) FILTER (WHERE {PERSON}) AS person,
               COALESCE(SUM(r.seconds) FILTER (WHERE {PERSON}), 0) AS person_seconds,
               COALESCE(SUM(r.clicks) FILTER (WHERE {PERSON}), 0) AS person_clicks,
               COUNT(*) FILTER (WHERE {DECIDED}) AS decided,
               COUNT(*) FILTER (WHERE {DECIDED} AND {KEPT} AND NOT r.edited) AS unchanged,
               COALESCE(SUM(r.seconds) FILTER (WHERE {DECIDED}), 0) AS decided_seconds
        FROM {rows} r {join}
        GROUP BY {project}r.image_id, day, r.stage, annotator_id, r.model_version"""


def add(rows: str) -> str:
    columns = ", ".join(("project_id", *KEY, *COUNTERS))
    updates = ", ".join(f"{c} = {ROLLUP}.{c} + EXCLUDED.{c}" for c in COUNTERS)
    ordered = f"SELECT * FROM ({groups(rows, True)}) g ORDER BY {', '.join(KEY)}"  # one lock order
    return f"INSERT INTO {ROLLUP} ({columns}) {ordered} ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {updates};"


def subtract(rows: str) -> str:
    updates = ", ".join(f"{c} = m.{c} - o.{c}" for c in COUNTERS)
    match = " AND ".join(f"m.{k} = o.{k}" for k in KEY)
    return f"UPDATE {ROLLUP} m SET {updates} FROM ({groups(rows, False)}) o WHERE {match};"


def drop_empty(rows: str) -> str:
    return f"DELETE FROM {ROLLUP} m USING (SELECT DISTINCT image_id FROM {rows}) o WHERE m.image_id = o.image_id AND m.total <= 0;"


BODIES = {
    "insert": (add("new_rows"), "REFERENCING NEW TABLE AS new_rows"),
    "update": (
        subtract("old_rows") + add("new_rows") + drop_empty("old_rows"),
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    ),
    "delete": (subtract("old_rows") + drop_empty("old_rows"), "REFERENCING OLD TABLE AS old_rows"),
}


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for operation, (body, transition) in BODIES.items():
        schema_editor.execute(
            f"CREATE OR REPLACE FUNCTION mask_rollup_{operation}() RETURNS trigger LANGUAGE plpgsql AS $$"
            f" BEGIN {body} RETURN NULL; END $$;"
        )
        schema_editor.execute(
            f"CREATE TRIGGER mask_rollup_{operation} AFTER {operation.upper()} ON {MASKS} {transition}"
            f" FOR EACH STATEMENT EXECUTE FUNCTION mask_rollup_{operation}();"
        )
    schema_editor.execute(add(MASKS))  # the masks already there


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for operation in BODIES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS mask_rollup_{operation} ON {MASKS};")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS mask_rollup_{operation}();")


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0006_mask_image_keyset"),
    ]

    operations = [
        migrations.CreateModel(
            name="MaskRollup",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("project_id", models.BigIntegerField(db_index=True)),
                ("image_id", models.BigIntegerField()),
                ("day", models.DateField(help_text="the masks' creation day (UTC)")),
                ("stage", models.CharField(blank=True, max_length=8)),
                (
                    "annotator_id",
                    models.BigIntegerField(help_text="who last changed the masks, else who made them; 0: nobody"),
                ),
                ("model_version", models.CharField(blank=True, max_length=128)),
                ("total", models.BigIntegerField(default=0, help_text="masks")),
                ("kept", models.BigIntegerField(default=0, help_text="submitted or accepted")),
                ("person", models.BigIntegerField(default=0, help_text="manual or assisted")),
                ("person_seconds", models.FloatField(default=0.0)),
                ("person_clicks", models.BigIntegerField(default=0)),
                (
                    "decided",
                    models.BigIntegerField(default=0, help_text="automatic masks a person accepted or rejected"),
                ),
                ("unchanged", models.BigIntegerField(default=0, help_text="decided, kept and not edited")),
                ("decided_seconds", models.FloatField(default=0.0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("image_id", "day", "stage", "annotator_id", "model_version"),
                        name="one_rollup_per_group",
                    )
                ],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
