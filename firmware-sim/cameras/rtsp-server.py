# The simulated cameras' RTSP server: GStreamer's gst-rtsp-server (Debian gir1.2-gst-rtsp-server-1.0,
# python3-gi) serving pre-encoded H.264 loops, one RTSP server per camera address, started by loa-sim.
#
# Protocol with its parent (firmware-sim/cameras/rtsp-process.ts), JSON lines:
#   stdin, first line: {"cameras": [{"name", "host", "port", "auth"?: {"user", "password"},
#                                    "streams": [{"path", "file", "fps", "width", "height"}]}]}
#   stdout: {"ready": true, "cameras": [{"name", "host", "port"}]}   or   {"error": "..."} and exit 1
#   stdin closing (the parent died or stopped us) ends the process; so do SIGTERM and SIGINT.
#   further stdin lines, for fault tests: {"camera": name, "streaming": false} cuts that camera's
#   viewers off and refuses new ones (its RTSP port still accepts, then closes: a camera whose
#   streaming died); {"camera": name, "streaming": true} serves it again.
import ctypes
import json
import os
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

PR_SET_PDEATHSIG = 1
# The role a camera's user gets; its mount points let that role (and only it) watch.
VIEWER = "viewer"


def die_with_parent():
    # Belt and braces beside stdin's EOF: the kernel sends SIGTERM when the parent goes (Linux only).
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


def load_access_units(path):
    """The file's H.264 access units as (bytes, is_keyframe), split by GStreamer's h264parse (no decoding)."""
    pipeline = Gst.parse_launch(
        "filesrc name=file ! h264parse ! video/x-h264,stream-format=byte-stream,alignment=au ! appsink name=sink sync=false"
    )
    pipeline.get_by_name("file").set_property("location", path)
    sink = pipeline.get_by_name("sink")
    pipeline.set_state(Gst.State.PLAYING)
    units = []
    while True:
        sample = sink.emit("pull-sample")
        if sample is None:
            break
        buf = sample.get_buffer()
        ok, info = buf.map(Gst.MapFlags.READ)
        if ok:
            units.append((bytes(info.data), not buf.has_flags(Gst.BufferFlags.DELTA_UNIT)))
            buf.unmap(info)
    bus = pipeline.get_bus()
    err = bus.pop_filtered(Gst.MessageType.ERROR)
    pipeline.set_state(Gst.State.NULL)
    if err is not None:
        raise RuntimeError(f"{path}: {err.parse_error()[0].message}")
    if not units or not units[0][1]:
        raise RuntimeError(f"{path}: no H.264 access units, or the first is not a keyframe")
    return units


class LoopFactory(GstRtspServer.RTSPMediaFactory):
    """One mount point: the loop's access units pushed forever with timestamps that keep increasing."""

    def __init__(self, file, fps, width, height, auth):
        super().__init__()
        self.file = file
        self.units = None
        self.duration = Gst.SECOND // fps
        caps = f"video/x-h264,stream-format=byte-stream,alignment=au,width={width},height={height},framerate={fps}/1"
        # Not live: the RTSP server's sinks pace the buffers by their timestamps, so no timer runs here.
        self.set_launch(f'( appsrc name=src format=time caps="{caps}" ! h264parse ! rtph264pay name=pay0 pt=96 config-interval=0 )')
        # Every client of a mount point shares one pipeline (one read of the loop).
        self.set_shared(True)
        if auth:
            role = f"{VIEWER}, media.factory.access=(boolean)true, media.factory.construct=(boolean)true"
            self.add_role_from_structure(Gst.Structure.from_string(role)[0])
        self.connect("media-configure", self.on_media_configure)

    def on_media_configure(self, _factory, media):
        # Read at the first viewer, not at start: hundreds of cameras nobody watches cost no memory.
        if self.units is None:
            try:
                self.units = load_access_units(self.file)
            except RuntimeError as e:
                # The parent logs our stderr; this viewer gets no frames, the other paths go on.
                print(f"cannot serve {self.file}: {e}", file=sys.stderr, flush=True)
                return
        src = media.get_element().get_child_by_name("src")
        state = {"n": 0}

        def need_data(appsrc, _length):
            n = state["n"]
            data, key = self.units[n % len(self.units)]
            buf = Gst.Buffer.new_wrapped(data)
            buf.pts = buf.dts = n * self.duration
            buf.duration = self.duration
            if not key:
                buf.set_flags(Gst.BufferFlags.DELTA_UNIT)
            state["n"] = n + 1
            appsrc.emit("push-buffer", buf)

        src.connect("need-data", need_data)


def start_camera(cam):
    server = GstRtspServer.RTSPServer()
    server.cut_name = cam["name"]
    server.set_address(cam["host"])
    server.set_service(str(cam["port"]))
    auth = cam.get("auth")
    if auth:
        # HTTP Digest (RFC 2617) on RTSP, as real cameras ask; no Basic, so the password never crosses in clear.
        checker = GstRtspServer.RTSPAuth()
        checker.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
        token = GstRtspServer.RTSPToken()
        token.set_string("media.factory.role", VIEWER)
        checker.add_digest(auth["user"], auth["password"], token)
        server.set_auth(checker)
    mounts = server.get_mount_points()
    for s in cam["streams"]:
        if not os.path.isfile(s["file"]):
            raise RuntimeError(f"{s['file']}: no such file")
        mounts.add_factory(s["path"], LoopFactory(s["file"], int(s["fps"]), int(s["width"]), int(s["height"]), bool(auth)))
    try:
        source = server.create_source(None)
    except GLib.Error as e:
        raise RuntimeError(f"cannot listen on {cam['host']}:{cam['port']} for {cam['name']}: {e.message}") from None
    source.attach(None)
    server.connect("client-connected", on_client_connected)
    return server, source


# Names of cameras whose streaming is cut (set_streaming).
CUT = set()


def on_client_connected(server, client):
    if server.cut_name in CUT:
        client.close()


def set_streaming(servers, names, command):
    name = command.get("camera")
    for (server, _), cam_name in zip(servers, names):
        if cam_name != name:
            continue
        if command.get("streaming"):
            CUT.discard(name)
        else:
            CUT.add(name)
            server.client_filter(lambda _srv, _client, *_: GstRtspServer.RTSPFilterResult.REMOVE)


def main():
    die_with_parent()
    Gst.init(None)
    loop = GLib.MainLoop()
    out = sys.stdout
    try:
        config = json.loads(sys.stdin.readline())
        servers = [start_camera(cam) for cam in config["cameras"]]
    except Exception as e:  # noqa: BLE001 - any failure is reported to the parent in one line
        out.write(json.dumps({"error": str(e)}) + "\n")
        out.flush()
        sys.exit(1)
    ready = [{"name": c["name"], "host": c["host"], "port": srv.get_bound_port()} for c, (srv, _) in zip(config["cameras"], servers)]
    out.write(json.dumps({"ready": True, "cameras": ready}) + "\n")
    out.flush()

    def on_stdin(_fd, _condition):
        line = sys.stdin.readline()
        if line == "":
            loop.quit()
            return False
        try:
            set_streaming(servers, [c["name"] for c in config["cameras"]], json.loads(line))
        except (ValueError, AttributeError) as e:
            print(f"ignored command {line.strip()[:100]}: {e}", file=sys.stderr, flush=True)
        return True

    GLib.io_add_watch(sys.stdin.fileno(), GLib.IO_IN | GLib.IO_HUP | GLib.IO_ERR, on_stdin)
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
    loop.run()


if __name__ == "__main__":
    main()
