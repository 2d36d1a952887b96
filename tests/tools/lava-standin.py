"""A local stand-in of LAVA's XML-RPC API (what lavacli 1.2 calls for smclat's farm mode:
system.version, scheduler.jobs.submit/show/logs/cancel, results.get_testjob_results_yaml), for
tests/e2e/lava-farm.sh. Not a server: each submitted job is validated with lava_common's
schema (strict), saved as STATE/N.yaml and handed to WORKER N.yaml N.log (a command: it runs or
fakes the job and writes LAVA's log, one YAML mapping a line); the job is Finished when the
worker exits, its health Complete when the log's job result passes, else Incomplete.
STATE/refuse (when present) holds the message every submission is refused with.
usage: /usr/bin/python3 lava-standin.py STATE WORKER   (prints the port on stdout, then serves)
"""
import os
import subprocess
import sys
import threading
import xmlrpc.client
from xmlrpc.server import SimpleXMLRPCServer

import yaml
from lava_common.schemas import validate

state, worker = sys.argv[1], sys.argv[2]
jobs, lock = {}, threading.Lock()


def records(n):
    out = []
    try:
        with open(os.path.join(state, "%d.log" % n), encoding="utf-8", errors="replace") as f:
            for line in f:
                line = line.strip()
                line = line[2:] if line.startswith("- ") else line
                if not line.startswith("{"):
                    continue
                try:
                    rec = yaml.load(line, Loader=yaml.CSafeLoader)
                except yaml.YAMLError:
                    continue
                if isinstance(rec, dict):
                    out.append(rec)
    except OSError:
        pass
    return out


def run(n):
    p = subprocess.Popen([worker, os.path.join(state, "%d.yaml" % n),
                          os.path.join(state, "%d.log" % n)])
    with lock:
        jobs[n]["proc"], jobs[n]["state"] = p, "Running"
    p.wait()
    health = "Incomplete"
    for r in records(n):
        m = r.get("msg")
        if r.get("lvl") == "results" and isinstance(m, dict) and m.get("case") == "job" \
                and m.get("definition") == "lava" and m.get("result") == "pass":
            health = "Complete"
    with lock:
        jobs[n].update(state="Finished", health=health)


def submit(definition):
    refuse = os.path.join(state, "refuse")
    if os.path.exists(refuse):
        raise xmlrpc.client.Fault(400, open(refuse).read().strip())
    job = yaml.safe_load(definition)
    try:
        validate(job, strict=True)
    except Exception as e:
        raise xmlrpc.client.Fault(400, "Invalid job definition: %s" % str(e).splitlines()[0])
    with lock:
        n = len(jobs) + 1
        jobs[n] = {"state": "Submitted", "health": "Unknown", "name": job.get("job_name", ""),
                   "device_type": job.get("device_type", "")}
    with open(os.path.join(state, "%d.yaml" % n), "w") as f:
        f.write(definition)
    with open(os.path.join(state, "submitted"), "a") as f:
        f.write("%d\n" % n)
    threading.Thread(target=run, args=(n,), daemon=True).start()
    return n


def get(job_id):
    try:
        return jobs[int(job_id)]
    except (KeyError, ValueError):
        raise xmlrpc.client.Fault(404, "Job '%s' was not found." % job_id)


def show(job_id):
    j = get(job_id)
    return {"id": int(job_id), "description": j["name"], "submitter": "smclat",
            "device_type": j["device_type"], "device": "standin-01", "health_check": False,
            "state": j["state"], "health": j["health"], "pipeline": True, "tags": [],
            "visibility": "Public", "submit_time": None, "start_time": None, "end_time": None,
            "failure_comment": None}


def logs(job_id, start=0, end=None):
    j = get(job_id)
    recs = records(int(job_id))[int(start):None if end is None else int(end)]
    return (j["state"] == "Finished", yaml.safe_dump(recs, default_flow_style=None, width=10**6))


def results_yaml(job_id):
    get(job_id)
    res = [r["msg"] for r in records(int(job_id))
           if r.get("lvl") == "results" and isinstance(r.get("msg"), dict)]
    return yaml.safe_dump(res)


def cancel(job_id):
    j = get(job_id)
    if j.get("proc"):
        j["proc"].terminate()
    return True


srv = SimpleXMLRPCServer(("127.0.0.1", 0), logRequests=False, allow_none=True)
srv.register_function(lambda: "2023.01", "system.version")
srv.register_function(submit, "scheduler.jobs.submit")
srv.register_function(show, "scheduler.jobs.show")
srv.register_function(logs, "scheduler.jobs.logs")
srv.register_function(cancel, "scheduler.jobs.cancel")
srv.register_function(results_yaml, "results.get_testjob_results_yaml")
print(srv.server_address[1], flush=True)
srv.serve_forever()
