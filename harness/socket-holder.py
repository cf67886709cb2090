#!/usr/bin/env python3
"""Holds a listening TCP socket and runs a program on it as systemd socket activation does
(LISTEN_FDS=1, LISTEN_PID, LISTEN_FDNAMES; the socket as fd 3), starting the program again on
SIGUSR1 while the socket stays open: a hub restart under systemd/loa-hub.socket, for tests and
benchmarks (harness/, shared by tests and bench). Prints "listening PORT" and "started PID".
With --control and no program, it runs what each line of stdin names instead (a JSON list: the
program and its arguments), one at a time, and prints "exited PID" when one ends; stdin closed
ends it (harness/held-socket.ts)."""
import argparse
import os
import signal
import socket
import subprocess
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument('--host', default='127.0.0.1')
parser.add_argument('--port', type=int, default=0)
parser.add_argument('--name', default='mqtts')
parser.add_argument('--control', action='store_true')
parser.add_argument('cmd', nargs=argparse.REMAINDER)
args = parser.parse_args()
cmd = args.cmd[1:] if args.cmd[:1] == ['--'] else args.cmd
if not cmd and not args.control:
    sys.exit('socket-holder: give the program to run after --, or --control')

sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.bind((args.host, args.port))
sock.listen(4096)
if sock.fileno() != 3:
    os.dup2(sock.fileno(), 3)
os.set_inheritable(3, True)
print(f'listening {sock.getsockname()[1]}', flush=True)

child = None
wanted = {'restart': False, 'done': False}


def start(argv=None):
    global child
    # sh's $$ is the pid the program keeps through exec: LISTEN_PID names it, as systemd does.
    script = f'export LISTEN_PID=$$ LISTEN_FDS=1 LISTEN_FDNAMES={args.name}; exec "$@"'
    child = subprocess.Popen(['sh', '-c', script, 'sh', *(argv or cmd)], pass_fds=(3,), stdin=subprocess.DEVNULL)
    print(f'started {child.pid}', flush=True)


def stop():
    if child is not None and child.poll() is None:
        child.terminate()
        try:
            child.wait(15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


signal.signal(signal.SIGUSR1, lambda *_: wanted.update(restart=True))
signal.signal(signal.SIGTERM, lambda *_: wanted.update(done=True))
signal.signal(signal.SIGINT, lambda *_: wanted.update(done=True))
parent = os.getppid()
if args.control:
    import json
    for line in sys.stdin:
        if line.strip():
            start(json.loads(line))
            child.wait()
            print(f'exited {child.pid}', flush=True)
    sys.exit(0)
start()
while not wanted['done']:
    time.sleep(0.02)
    if wanted['restart']:
        wanted['restart'] = False
        stop()
        start()
    # The test or benchmark that started us is gone: leave nothing behind.
    if os.getppid() != parent:
        wanted['done'] = True
stop()
