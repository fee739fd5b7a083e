# The `aws` on the scripts' PATH in the store-script tests (test/s3-server.ts writes it with a
# shebang and the SOCKET and CLI constants in front of this file): refuses to run without
# AWS_ENDPOINT_URL, adds it as --endpoint-url, and hands the call to preload-server.py; runs the CLI
# itself when that is not up. Forwards SIGINT/SIGTERM/SIGHUP to the forked CLI and dies of the same
# signal, as a CLI would.
import json, os, signal, socket, struct, sys
endpoint = os.environ.get("AWS_ENDPOINT_URL")
if not endpoint:
    sys.exit("aws: AWS_ENDPOINT_URL: set it: the tests talk to a loopback server only")
args = ["--endpoint-url", endpoint, *sys.argv[1:]]
payload = json.dumps([args, dict(os.environ), os.getcwd()]).encode()
conn = socket.socket(socket.AF_UNIX)
try:
    conn.connect(SOCKET)
    socket.send_fds(conn, [struct.pack("!I", len(payload))], [0, 1, 2])
    conn.sendall(payload)
except OSError:
    os.execv(CLI, [CLI, *args])
def read(n, buf=b""):
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return struct.unpack("!i", buf)[0]
pid = read(4)
got = []
def forward(sig, _):
    got.append(sig)
    if pid:
        os.kill(pid, sig)
for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(sig, forward)
rc = read(4) if pid else None
if rc is None:
    sig = got[-1] if got else signal.SIGKILL
    signal.signal(sig, signal.SIG_DFL)
    os.kill(os.getpid(), sig)
sys.exit(rc)
