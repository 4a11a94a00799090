"""Drives the built frontend against scripts/mock_api.py in headless Chromium and saves screenshots.

A quick look at every page at 1280x800 and 1920x1080 without the backend. Usage:
screenshot_pages.py [--url http://127.0.0.1:8765] [--out ../test-output/frontend]
"""

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8765")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parents[2] / "test-output" / "frontend"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for width, height in [(1280, 800), (1920, 1080)]:
            page = browser.new_page(viewport={"width": width, "height": height})
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            tag = f"{width}x{height}"
            page.goto(args.url + "/")
            page.wait_for_selector("input[name=username]")
            page.screenshot(path=out / f"login-{tag}.png")
            page.fill("input[name=username]", "ann")
            page.fill("input[name=password]", "ann")
            page.click("button[type=submit]")
            page.wait_for_selector(".card")
            page.screenshot(path=out / f"projects-{tag}.png")
            page.click("text=Street and kitchen")
            page.wait_for_selector("table.table")
            page.screenshot(path=out / f"images-{tag}.png")
            page.click("text=truck.jpg")
            page.wait_for_selector("canvas.annotation-canvas")
            page.wait_for_timeout(500)
            box = page.locator("canvas.annotation-canvas").bounding_box()
            page.mouse.click(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.5)
            page.wait_for_selector("[data-testid=candidate-3]")
            page.wait_for_timeout(300)
            page.screenshot(path=out / f"annotator-candidates-{tag}.png")
            page.keyboard.press("3")
            page.keyboard.press("b")
            page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.3)
            page.mouse.down()
            page.mouse.move(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.35, steps=8)
            page.mouse.up()
            page.wait_for_timeout(200)
            page.screenshot(path=out / f"annotator-brush-{tag}.png")
            page.keyboard.press("s")
            page.wait_for_selector("[data-testid=saved-masks] li")
            page.wait_for_timeout(300)
            page.screenshot(path=out / f"annotator-saved-{tag}.png")
            page.keyboard.press("?")
            page.wait_for_selector(".modal.help")
            page.screenshot(path=out / f"annotator-help-{tag}.png")
            page.keyboard.press("Escape")
            # 409: edit the saved mask, someone else bumps it, save -> conflict dialog.
            page.click("[data-testid=saved-masks] li button.mask-row")
            page.click("text=Edit")
            mask_id = page.locator("[data-testid=saved-masks] li").first.inner_text().split("#")[1].split()[0]
            page.request.post(f"{args.url}/mock/bump/{mask_id}/")
            page.keyboard.press("e")
            page.mouse.move(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.5)
            page.mouse.down()
            page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.55, steps=5)
            page.mouse.up()
            page.keyboard.press("s")
            page.wait_for_selector("[data-testid=conflict]")
            page.wait_for_timeout(200)
            page.screenshot(path=out / f"annotator-conflict-{tag}.png")
            page.click("[data-testid=keep-mine]")
            page.wait_for_selector("[data-testid=conflict]", state="detached")
            # The image whose embedding is still pending.
            page.request.post(f"{args.url}/mock/pending/2/")
            page.goto(args.url + "/images/2")
            page.wait_for_selector("canvas.annotation-canvas")
            page.wait_for_timeout(300)
            box2 = page.locator("canvas.annotation-canvas").bounding_box()
            page.mouse.click(box2["x"] + box2["width"] * 0.5, box2["y"] + box2["height"] * 0.5)
            page.wait_for_selector("[data-testid=preparing]")
            page.screenshot(path=out / f"annotator-preparing-{tag}.png")
            page.wait_for_selector("[data-testid=candidate-1]", timeout=15000)
            page.goto(args.url + "/images/3/masks")
            page.wait_for_selector("table.table")
            page.screenshot(path=out / f"masks-{tag}.png")
            print(tag, "errors:", errors)
            page.close()
        browser.close()
    print("screenshots in", out)


if __name__ == "__main__":
    main()
