"""Runs the Singer tap tap-lever against a Lever sandbox instead of https://api.lever.co.

tap-lever has no base-URL setting: its client builds every URL as https://api.lever.co/v1/... and sends it with
requests.request(), which goes through requests.Session.request. Before the tap runs, this wrapper replaces
Session.request in this process only with one that moves https://api.lever.co to the origin given and refuses any
other host, so nothing leaves the machine. The tap's installed files are not changed.

    python run_tap.py --origin http://127.0.0.1:4010 --config config.json --select postings,opportunities

--select names the streams to sync (opportunity_resumes is synced inside opportunities, as the tap does). The
wrapper runs the tap's own discovery, marks those streams selected in the catalog and runs the tap's sync with it:
Singer messages (SCHEMA, RECORD, STATE) on stdout, the tap's log on stderr.
"""

import argparse
import contextlib
import io
import json
import os
import sys
import tempfile
from urllib.parse import urlsplit

import requests

LEVER_ORIGIN = "https://api.lever.co"


def redirect_lever_to(origin):
    send_as_asked = requests.Session.request

    def request(self, method, url, *args, **kwargs):
        if url.startswith(LEVER_ORIGIN + "/"):
            url = origin + url[len(LEVER_ORIGIN):]
        elif not url.startswith(origin + "/"):
            raise RuntimeError("run_tap: refused a request to %s (only %s is redirected)" % (urlsplit(url).netloc, LEVER_ORIGIN))
        return send_as_asked(self, method, url, *args, **kwargs)

    requests.Session.request = request


def run_tap(argv):
    import tap_lever

    sys.argv = ["tap-lever", *argv]
    tap_lever.main()


def selected_catalog(config_path, streams):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        run_tap(["--config", config_path, "--discover"])
    catalog = json.loads(out.getvalue())
    known = {entry["stream"] for entry in catalog["streams"]}
    unknown = set(streams) - known
    if unknown:
        raise SystemExit("run_tap: tap-lever has no stream %s (it has: %s)" % (", ".join(sorted(unknown)), ", ".join(sorted(known))))
    for entry in catalog["streams"]:
        for item in entry["metadata"]:
            if item["breadcrumb"] == []:
                item["metadata"]["selected"] = entry["stream"] in streams
    return catalog


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--origin", required=True, help="scheme://host:port the tap's requests go to instead of %s" % LEVER_ORIGIN)
    parser.add_argument("--config", required=True, help="the tap's config file (token, start_date)")
    parser.add_argument("--select", required=True, help="comma-separated stream names")
    args = parser.parse_args()

    redirect_lever_to(args.origin.rstrip("/"))
    catalog = selected_catalog(args.config, args.select.split(","))
    with tempfile.TemporaryDirectory() as scratch:
        catalog_path = os.path.join(scratch, "catalog.json")
        with open(catalog_path, "w") as handle:
            json.dump(catalog, handle)
        run_tap(["--config", args.config, "--catalog", catalog_path])


if __name__ == "__main__":
    main()
