"""
The preloaded AWS CLI of the store-script tests (test/s3-server.ts): imports the CLI once (the
~0.5 s of CPU every `aws` start spends importing botocore and its plugins), then forks per call and
runs the CLI's own entry point, awscli.clidriver.main() as /usr/bin/aws does, with the caller's
argv, environment, cwd and stdio (its file descriptors, passed over a Unix socket by client.py).
Usage: python3 preload-server.py SOCKET CLI. Prints "ready" once it listens; exits when stdin closes.
"""
import json, os, select, socket, struct, sys, threading, traceback
sock_path, cli = sys.argv[1], sys.argv[2]
sys.argv = [cli]
sys.path[0] = os.path.dirname(cli)  # as when the script itself runs
if not hasattr(socket, "recv_fds"):
    sys.exit("Python < 3.9: no fd passing, the wrapper runs the CLI itself")
import awscli, awscli.clidriver, awscli.handlers
DATA = os.path.join(os.path.dirname(os.path.abspath(awscli.__file__)), "data")
srv = socket.socket(socket.AF_UNIX)
srv.bind(sock_path)
srv.listen(64)
print("ready", flush=True)

def read(conn, n, buf=b""):
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf

def run(conn):
    head, fds, _, _ = socket.recv_fds(conn, 4, 3)
    args, env, cwd = json.loads(read(conn, struct.unpack("!I", read(conn, 4, head))[0]))
    for i, fd in enumerate(fds):
        os.dup2(fd, i)
        os.close(fd)
    conn.sendall(struct.pack("!i", os.getpid()))
    # the caller died (SIGKILL): die with it, as a CLI process of its own would
    threading.Thread(target=lambda: conn.recv(1) or os.kill(os.getpid(), 9), daemon=True).start()
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    # what the aws script and awscli/__init__.py do to the environment at start-up
    if env.get("LC_CTYPE", "") == "UTF-8":
        os.environ["LC_CTYPE"] = "en_US.UTF-8"
    paths = [os.path.expanduser(os.path.expandvars(p)) for p in env["AWS_DATA_PATH"].split(os.pathsep)] if "AWS_DATA_PATH" in env else []
    os.environ["AWS_DATA_PATH"] = os.pathsep.join(paths + [DATA])
    sys.argv = [cli, *args]
    try:
        rc = awscli.clidriver.main()
    except SystemExit as e:
        rc = e.code if isinstance(e.code, int) else 0 if e.code is None else 1
        if isinstance(e.code, str):
            print(e.code, file=sys.stderr)
    except BaseException:
        traceback.print_exc()
        rc = 255
    sys.stdout.flush()
    sys.stderr.flush()
    conn.sendall(struct.pack("!i", rc))

while True:
    ready = select.select([srv, 0], [], [], 0.5)[0]
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:  # reap, so each call's CPU time is accounted
            pass
    except ChildProcessError:
        pass
    if 0 in ready and not os.read(0, 4096):
        while True:  # reap the last calls too, then exit
            try:
                os.wait()
            except ChildProcessError:
                sys.exit(0)
    if srv in ready:
        conn = srv.accept()[0]
        if os.fork() == 0:
            srv.close()
            try:
                run(conn)
            finally:
                os._exit(0)
        conn.close()
