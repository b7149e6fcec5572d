"""Check the container image's files without a container engine (none runs on the project's
machines): every file the Dockerfile copies exists or is built where it is copied from, every
file the server config includes is copied there, the config serves the built wasm as
application/wasm and lets pages be framed, and the sweep Job's commands are ones the CLI takes.

python3 scripts/check_deploy.py DISTLAB   (DISTLAB: a built distlab binary)
"""
import os
import re
import shlex
import subprocess
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.chdir(root)
failures = []


def fail(message):
    failures.append(message)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


# The Dockerfile: its COPY lines, and where the build stage works.
docker = read("Dockerfile")
workdir = re.search(r"^WORKDIR\s+(\S+)", docker, re.M).group(1)
copied = {}  # destination -> source, for files copied from the repository
for line in docker.splitlines():
    words = line.split()
    if not words or words[0] != "COPY":
        continue
    args = [w for w in words[1:] if not w.startswith("--")]
    stage = next((w.split("=", 1)[1] for w in words[1:] if w.startswith("--from=")), None)
    *sources, dest = args
    for src in sources:
        if stage is None:
            if not os.path.exists(src):
                fail(f"Dockerfile copies {src}, which is not in the repository")
            copied[dest] = src
        elif stage == "build":
            rel = os.path.relpath(src, workdir)
            if rel == "dist":
                trunk = read("Trunk.toml")
                if not re.search(r'^dist\s*=\s*"dist"', trunk, re.M):
                    fail("Dockerfile copies dist/, but Trunk.toml builds elsewhere")
            elif rel == "target/release/distlab":
                if 'name = "distlab"' not in read("cli/Cargo.toml"):
                    fail("Dockerfile copies the distlab binary, but cli/Cargo.toml names it otherwise")
                if "cargo build --release -p distlab-cli" not in docker:
                    fail("Dockerfile copies the distlab binary without building it")
            else:
                fail(f"Dockerfile copies {src} from the build stage, which nothing here checks is built")
if "scripts/setup.sh" not in docker or "trunk build --release" not in docker:
    fail("the build stage does not build with the project's own scripts (setup.sh, trunk build)")

# The server config: its includes are copied where it reads them, wasm is application/wasm.
conf = read("deploy/nginx.conf")
for inc in re.findall(r"^\s*include\s+(\S+);", conf, re.M):
    if inc != "/etc/nginx/mime.types" and inc not in copied:
        fail(f"deploy/nginx.conf includes {inc}, which the Dockerfile does not copy there")
wasm = re.search(r"location\s+~\*?\s+(\S+)\s*\{([^}]*\{\s*\}[^}]*)\}", conf)
if not wasm:
    fail("deploy/nginx.conf has no location that sets the type of wasm files")
else:
    pattern, body = wasm.group(1), wasm.group(2)
    if not re.search(r"default_type\s+application/wasm;", body) or not re.search(r"types\s*\{\s*\}", body):
        fail("the wasm location does not serve application/wasm (types { } and default_type)")
    built = [os.path.join(d, f) for d, _, fs in os.walk("dist") for f in fs if f.endswith(".wasm")]
    if os.path.isdir("dist") and not built:
        fail("dist/ holds no wasm to check the location against")
    for path in built:
        if not re.search(pattern, "/" + os.path.relpath(path, "dist"), re.I):
            fail(f"{path} would not be served as application/wasm (location {pattern})")
headers = read("deploy/headers.conf")
if "frame-ancestors" not in headers:
    fail("deploy/headers.conf does not say who may frame the pages")

# The sweep Job: as many parts as pods, and commands the CLI takes (run on a few seeds).
job = read("deploy/sweep-job.yaml")
parts = set(re.findall(r'name: PARTS, value: "(\d+)"', job))
counts = set(re.findall(r"^\s*(?:completions|parallelism):\s*(\d+)", job, re.M))
if len(parts) != 1 or counts != parts:
    fail(f"deploy/sweep-job.yaml: PARTS {sorted(parts)} and the Job's completions/parallelism {sorted(counts)} differ")
check = re.search(r"^\s+distlab check (.*?)\n\s*> ", job, re.S | re.M)
if not check or "$JOB_COMPLETION_INDEX/$PARTS" not in check.group(1):
    fail("deploy/sweep-job.yaml: the check does not take its part from JOB_COMPLETION_INDEX")
elif len(sys.argv) > 1:
    distlab = sys.argv[1]
    args = shlex.split(check.group(1).replace("$JOB_COMPLETION_INDEX", "1").replace("$PARTS", "2"))
    args = [re.sub(r"^\d+\.\.\d+$", "0..6", a) for a in args] + ["--events", "2000"]
    out = []
    for i in ("0", "1"):
        argv = [a.replace("1/2", f"{i}/2") for a in args]
        r = subprocess.run([distlab, "check", *argv], capture_output=True, text=True)
        if r.returncode not in (0, 1):
            fail(f"the Job's check fails on a few seeds: {' '.join(argv)}: {r.stderr.strip().splitlines()[0]}")
        out.append(r.stdout)
    if "distlab merge /results/part-*.json" not in job:
        fail("deploy/sweep-job.yaml: no merge of the parts")
    elif len(out) == 2 and all(out):
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            files = []
            for i, text in enumerate(out):
                files.append(os.path.join(d, f"part-{i}.json"))
                with open(files[-1], "w") as f:
                    f.write(text)
            r = subprocess.run([distlab, "merge", *files], capture_output=True, text=True)
            if r.returncode not in (0, 1):
                fail(f"the merge of the Job's parts fails: {r.stderr.strip().splitlines()[0]}")

if failures:
    print("deploy check failed:\n  " + "\n  ".join(failures))
    sys.exit(1)
print("deploy check: the Dockerfile's files, the server's wasm type and headers, the sweep Job's commands: ok")
