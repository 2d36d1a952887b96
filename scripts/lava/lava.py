"""smclat's LAVA glue (run with /usr/bin/python3: Debian's lava_common, yaml, jinja2).

  lava.py device --templates DIR [--mode M] [--pcpus N] [--memory MB] [-o FILE]
      the lab's QEMU device for lava-run, rendered from LAVA's qemu.jinja2
  lava.py job -o FILE --spec JSON      one group's job (JSON: scripts/lava/lab.sh), validated
  lava.py validate FILE...             lava_common.schemas.validate(job, strict=True)
  lava.py fits DEVICE JOB              does the device boot the lab the job needs?
  lava.py extract LOG WORK [RESULTS]   from a job's log (lava-run's, or lavacli jobs logs
      --raw): WORK/console.log, the results (WORK/share/sc/...), WORK/lava-results.json (test
      cases from RESULTS, lavacli results --yaml, when given)
Errors: one line on stderr naming the file and what was expected, exit 1 (2: usage).
"""
import argparse
import base64
import datetime
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

import yaml

PROMPT = "dom0# "
MACHINE = "virt,virtualization=on,gic-version=3"


def die(msg):
    print("lava: " + msg, file=sys.stderr)
    sys.exit(1)


def qemu_args(mode, pcpus, memory):
    """What scripts/lab/boot.sh gives QEMU beyond the images: (machine, memory, extra)."""
    machine, extra = MACHINE, ["-smp %d" % pcpus]
    if mode == "deterministic":
        machine += ",dtb-randomness=off"
        extra += ["-icount shift=3,sleep=off", "-rtc base=2026-01-01T00:00:00,clock=vm", "-seed 1"]
    extra += ["-no-reboot"]
    return machine, int(memory), extra


def cmd_device(a):
    from jinja2 import FileSystemLoader
    from jinja2.sandbox import SandboxedEnvironment
    here = os.path.dirname(os.path.abspath(__file__))
    if not os.path.isfile(os.path.join(a.templates, "qemu.jinja2")):
        die("%s: no qemu.jinja2 (LAVA's device-type templates: scripts/deps.sh lava)" % a.templates)
    env = SandboxedEnvironment(autoescape=False, trim_blocks=True,
                               loader=FileSystemLoader([here, a.templates]))
    machine, memory, extra = qemu_args(a.mode, a.pcpus, a.memory)
    text = env.get_template("lab-qemu.jinja2").render(
        lab_machine=machine, lab_memory=memory, lab_extra=extra)
    dev = yaml.safe_load(text)
    if not isinstance(dev, dict) or "actions" not in dev:
        die("%s: the rendered device has no actions" % a.templates)
    out = open(a.output, "w") if a.output else sys.stdout
    out.write(text)


def validate(path, job):
    try:
        from lava_common.schemas import validate as lava_validate
    except ImportError:
        die("lava-common is not installed (no lava_common for /usr/bin/python3): "
            "run scripts/deps.sh lava")
    try:
        lava_validate(job, strict=True)
    except Exception as e:  # voluptuous.Invalid and friends: one line
        die("%s: not a valid LAVA job: %s" % (path, str(e).splitlines()[0]))


def load_yaml(path, what):
    try:
        with open(path) as f:
            d = yaml.safe_load(f)
    except OSError as e:
        die("%s: cannot read %s: %s" % (path, what, e.strerror))
    except yaml.YAMLError as e:
        die("%s: not YAML (%s): %s" % (path, what, str(e).splitlines()[0]))
    if not isinstance(d, dict):
        die("%s: %s: expected a YAML mapping" % (path, what))
    return d


def cmd_validate(a):
    for p in a.files:
        validate(p, load_yaml(p, "LAVA job"))
    print("lava: %d job(s) valid (lava_common.schemas, strict)" % len(a.files))


def job_dict(s):
    """One group's LAVA job from the spec that lab.sh writes (JSON)."""
    machine, memory, extra = qemu_args(s["mode"], s["pcpus"], s["memory"])
    t = int(s["timeout_s"])
    minutes = lambda sec: {"minutes": max(1, (sec + 59) // 60)}
    url = lambda name: s["url"].rstrip("/") + "/" + name
    job = {
        "device_type": s.get("device_type", "qemu"),
        "job_name": "smclat %s (suite %s)" % (s["name"], s["suite"]),
        "timeouts": {"job": minutes(t + 600), "action": minutes(t + 300),
                     "connection": {"minutes": 2},
                     "actions": {"lava-test-shell": minutes(t + 120)},
                     "connections": {"lava-test-shell": minutes(t + 120)}},
        "priority": "medium",
        "visibility": "public",
        "context": {"arch": "arm64", "cpu": "cortex-a57", "machine": machine,
                    "memory": memory, "extra_options": extra},
        "metadata": {"smclat.suite": s["suite"], "smclat.scenarios": ",".join(s["scenarios"]),
                     "smclat.boot-key": s["boot_key"]},
        "actions": [
            {"deploy": {"to": "tmpfs", "timeout": {"minutes": 5}, "images": {
                "xen": {"url": url(s["xen"]),
                        "image_arg": '-kernel {xen} -append "%s"' % s["xen_cmdline"]},
                "kernel": {"url": url(s["kernel"]),
                           "image_arg": '-device "guest-loader,addr=0x42000000,kernel={kernel},'
                           'bootargs=console=hvc0 earlycon=xen rdinit=/init cryptomgr.notests=1"'},
                "ramdisk": {"url": url(s["ramdisk"]),
                            "image_arg": "-device guest-loader,addr=0x49000000,initrd={ramdisk}",
                            "format": "cpio.newc",
                            "overlays": {"lava": True, "smclat": {
                                "url": url(s["overlay"]), "format": "tar", "path": "/"}}}}}},
            {"boot": {"method": "qemu", "media": "tmpfs", "timeout": {"minutes": 5},
                      "prompts": [PROMPT]}},
            {"test": {"timeout": minutes(t + 120), "definitions": [{
                "from": "inline", "name": "smclat", "path": "inline/smclat.yaml",
                "repository": {
                    "metadata": {"format": "Lava-Test Test Definition 1.0", "name": "smclat",
                                 "description": "smclat scenarios in one boot of Xen"},
                    "run": {"steps": ["sh /lab/lava-group.sh"]}}}]}},
        ],
    }
    return job


def cmd_job(a):
    try:
        spec = json.loads(a.spec)
    except ValueError as e:
        die("--spec: not JSON: %s" % e)
    job = job_dict(spec)
    validate(a.output, job)
    with open(a.output, "w") as f:
        f.write("# smclat suite %s: scenarios %s in one boot (docs/lava.md)\n"
                % (spec["suite"], ", ".join(spec["scenarios"])))
        yaml.safe_dump(job, f, sort_keys=False, width=200)


def cmd_fits(a):
    dev = load_yaml(a.device, "LAVA device")
    job = load_yaml(a.job, "LAVA job")
    try:
        q = dev["actions"]["boot"]["methods"]["qemu"]["parameters"]
        cmd = q["command"]
        opts = " ".join(q.get("options") or [])
        extra = [str(x) for x in (q.get("extra") or [])]
    except (KeyError, TypeError):
        die("%s: does not fit: no actions.boot.methods.qemu.parameters (not a LAVA QEMU device)"
            % a.device)
    if "aarch64" not in str(cmd):
        die("%s: does not fit: QEMU command %s, the lab needs qemu-system-aarch64" % (a.device, cmd))
    c = job.get("context", {})
    want = ["-machine " + c.get("machine", ""), "-m %s" % c.get("memory", "")]
    for w in want:
        if w not in opts:
            die("%s: does not fit: its QEMU options lack '%s' (the job's context)" % (a.device, w))
    if extra != list(c.get("extra_options", [])):
        die("%s: does not fit: its extra QEMU options %s, the job needs %s (render it with "
            "lava.py device for this mode and pCPU count)" % (a.device, extra, c.get("extra_options")))
    if "image" not in (dev.get("actions", {}).get("deploy", {}).get("methods") or {}):
        die("%s: does not fit: no deploy method 'image' (deploy to tmpfs)" % a.device)


def log_records(path):
    """The log's records: one YAML flow mapping a line (lava-run's stderr, lavacli --raw)."""
    try:
        f = open(path, encoding="utf-8", errors="replace")
    except OSError as e:
        die("%s: cannot read the job's log: %s" % (path, e.strerror))
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for line in f:
        line = line.strip()
        if line.startswith("- "):
            line = line[2:]
        if not line.startswith("{"):
            continue
        try:
            rec = yaml.load(line, Loader=loader)
        except yaml.YAMLError:
            continue
        if isinstance(rec, dict):
            yield rec


def when(rec):
    try:
        return datetime.datetime.fromisoformat(str(rec.get("dt"))).timestamp()
    except ValueError:
        return None


def cmd_extract(a):
    os.makedirs(a.work, exist_ok=True)
    console, cases, job, b64, size = [], [], {}, None, None
    t0 = None
    for rec in log_records(a.log):
        lvl, msg = rec.get("lvl"), rec.get("msg")
        t = when(rec)
        if t0 is None and t is not None:
            t0 = t
        if lvl == "results" and isinstance(msg, dict):
            if msg.get("definition") == "lava" and msg.get("case") == "job":
                job = msg
            elif msg.get("definition") != "lava":
                cases.append({k: str(v) for k, v in msg.items()})
        if lvl != "target" or not isinstance(msg, str):
            continue
        for m in msg.replace("\r", "").split("\n"):
            console.append("[%8.3f] %s" % ((t or 0) - (t0 or 0), m))
            if m.startswith("SMCLAT-FILE-BEGIN results.tar.gz.b64"):
                b64 = []
            elif m.startswith("SMCLAT-FILE-END results.tar.gz.b64"):
                b64 = "".join(b64) if isinstance(b64, list) else b64
            elif isinstance(b64, list):
                b64.append(m.strip())
            elif m.startswith("SMCLAT-RESULTS "):
                size = m.split()[1:3]
    with open(os.path.join(a.work, "console.log"), "w") as f:
        f.write("\n".join(console) + ("\n" if console else ""))
    if a.results:  # the farm's own test results (lavacli results --yaml), over the log's
        try:
            with open(a.results) as f:
                rs = yaml.safe_load(f) or []
            cases = [{"case": str(r.get("name", r.get("case"))), "result": str(r.get("result")),
                      "definition": str(r.get("suite", r.get("definition")))}
                     for r in rs if isinstance(r, dict)
                     and r.get("suite", r.get("definition")) != "lava"]
        except (OSError, yaml.YAMLError, AttributeError) as e:
            die("%s: cannot read the job's test results: %s" % (a.results, e))
    res = {"job": {k: str(v) for k, v in job.items()}, "cases": cases, "results": None}
    if isinstance(b64, str):
        try:
            data = base64.b64decode(b64, validate=False)
            if size and (str(len(data)) != size[0] or hashlib.md5(data).hexdigest() != size[1]):
                raise ValueError("%d bytes, md5 %s; Dom0 sent %s bytes, md5 %s"
                                 % (len(data), hashlib.md5(data).hexdigest(), size[0], size[1]))
            with tarfile.open(fileobj=io.BytesIO(gzip.decompress(data))) as tf:
                share = os.path.join(a.work, "share")
                for m in tf.getmembers():
                    if m.name.startswith("/") or ".." in m.name.split("/") or not (m.isfile() or m.isdir()):
                        raise ValueError("unexpected member %s" % m.name)
                tf.extractall(share)
            res["results"] = "%d bytes" % len(data)
        except (ValueError, OSError, EOFError, tarfile.TarError) as e:
            res["results_error"] = "the results in the log are damaged: %s" % e
    with open(os.path.join(a.work, "lava-results.json"), "w") as f:
        json.dump(res, f, indent=1)


def main():
    p = argparse.ArgumentParser(prog="lava.py", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("device")
    d.add_argument("--templates", required=True)
    d.add_argument("--mode", default="deterministic", choices=["deterministic", "smp"])
    d.add_argument("--pcpus", type=int, default=1)
    d.add_argument("--memory", type=int, default=2048)
    d.add_argument("-o", "--output")
    j = sub.add_parser("job")
    j.add_argument("-o", "--output", required=True)
    j.add_argument("--spec", required=True)
    v = sub.add_parser("validate")
    v.add_argument("files", nargs="+")
    f = sub.add_parser("fits")
    f.add_argument("device")
    f.add_argument("job")
    e = sub.add_parser("extract")
    e.add_argument("log")
    e.add_argument("work")
    e.add_argument("results", nargs="?", help="lavacli results --yaml JOB (farm mode)")
    a = p.parse_args()
    {"device": cmd_device, "job": cmd_job, "validate": cmd_validate, "fits": cmd_fits,
     "extract": cmd_extract}[a.cmd](a)


if __name__ == "__main__":
    main()
