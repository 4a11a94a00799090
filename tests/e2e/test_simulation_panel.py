"""The simulator on the training page in a real browser: a finished simulation's table as plots
(NoC@90 and seconds per mask by round), a site admin starting a run (a simulation job with the
rounds typed in, its progress shown, the button disabled while it waits), a manager seeing the
plots without the button. No worker: the started job stays queued. Screenshots in test-output/e2e/."""

import re
from itertools import pairwise
from types import SimpleNamespace

import pytest

from backend.jobs.models import Job
from backend.training.services import SIMULATION_KIND
from tests.e2e.conftest import log_in, shot

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

NOC90 = (20.0, 14.5, 10.25, 8.0, 6.5)  # a falling table, five rounds


def table() -> list[dict]:
    rows = []
    for index, noc in enumerate(NOC90):
        clicks = noc - 0.5
        rows.append(
            {
                "round": index,
                "masks": 32,
                "total_masks": 32 * (index + 1),
                "NoC@90": noc,
                "mIoU@1": 0.3 + 0.1 * index,
                "clicks_per_mask": clicks,
                "seconds_per_mask": 4.0 + 1.5 * clicks,
                "promoted": None if index == len(NOC90) - 1 else True,
            }
        )
    return rows


@pytest.fixture
def simulated(scene_factory):
    scene = scene_factory(wait_embedding=False)
    Job.objects.create(
        kind=SIMULATION_KIND,
        queue="train",
        state=Job.State.SUCCEEDED,
        project=scene.project,
        subject_type="project",
        subject_id=scene.project.pk,
        progress=1.0,
        message="done",
        params={"options": {}},
        result={"rounds": table()},
        created_by=scene.user,
    )
    return scene


def chart_points(page, testid: str) -> list[tuple[float, float]]:
    """The vertices of the chart's line (the `d` of its path: M x y L x y ...)."""
    d = page.locator(f"[data-testid={testid}] path").first.get_attribute("d")
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", d)]
    return list(zip(numbers[0::2], numbers[1::2], strict=True))


def test_admin_sees_the_simulation_plots_and_starts_a_run(page, simulated, make_user):
    admin = make_user(is_staff=True)
    log_in(
        page,
        SimpleNamespace(base_url=simulated.base_url, user=admin, password=admin.raw_password),
        f"/projects/{simulated.project.pk}/training",
    )
    page.wait_for_selector("[data-testid=simulation-charts]")
    for testid, values in (
        ("chart-sim-noc90", NOC90),
        ("chart-sim-seconds", [row["seconds_per_mask"] for row in table()]),
    ):
        points = chart_points(page, testid)
        assert len(points) == len(values)
        xs, ys = [x for x, _ in points], [y for _, y in points]
        assert xs == sorted(xs) and len(set(xs)) == len(xs)  # round 0 first, left to right
        # SVG y grows downwards: a falling figure draws each point lower than the one before, and
        # the drops are in proportion to the table's (a linear axis).
        drops = [b - a for a, b in pairwise(ys)]
        expected = [a - b for a, b in pairwise(values)]
        assert all(d > 0 for d in drops)
        ratios = [d / e for d, e in zip(drops, expected, strict=True)]
        assert max(ratios) == pytest.approx(min(ratios), rel=0.02)
    page.locator("[data-testid=simulation]").scroll_into_view_if_needed()
    shot(page, "training-simulator")

    page.fill("input[name=simulation-rounds]", "2")
    page.click("[data-testid=start-simulation]")
    page.wait_for_selector("[data-testid=simulation-progress]")
    started = Job.objects.filter(kind=SIMULATION_KIND, project=simulated.project).exclude(state=Job.State.SUCCEEDED)
    assert [(job.state, job.params["options"]) for job in started] == [(Job.State.QUEUED, {"rounds": 2})]
    assert "queued" in page.locator("[data-testid=simulation-progress]").inner_text()
    assert page.locator("[data-testid=start-simulation]").is_disabled()


def test_a_manager_sees_the_plots_but_cannot_start_a_run(page, simulated):
    log_in(page, simulated, f"/projects/{simulated.project.pk}/training")
    page.wait_for_selector("[data-testid=simulation-charts]")
    assert len(chart_points(page, "chart-sim-noc90")) == len(NOC90)
    assert not page.locator("[data-testid=start-simulation]").count()
