#!/usr/bin/python3
# A real RTSP server for the camera tests: GStreamer's gst-rtsp-server (Debian gstreamer1.0-rtsp,
# gir1.2-gst-rtsp-server-1.0, python3-gi). Run with /usr/bin/python3 (the python3 first on PATH lacks gi).
# Usage: rtsp-server.py '{"port": 8554, "user": "u", "password": "p", "mounts": {"/cam": "clip.mp4"}}'
# A mount given as a file streams that H.264 MP4 (no B-frames) in real time, one pipeline per client;
# a mount given as {"launch": "..."} uses that GStreamer launch line. Prints READY once listening.
import json, signal, sys
import gi
gi.require_version('Gst', '1.0')
gi.require_version('GstRtspServer', '1.0')
from gi.repository import GLib, Gst, GstRtspServer

Gst.init(None)
cfg = json.loads(sys.argv[1])
server = GstRtspServer.RTSPServer()
server.set_address('127.0.0.1')
server.set_service(str(cfg['port']))
mounts = server.get_mount_points()
for path, spec in cfg['mounts'].items():
    factory = GstRtspServer.RTSPMediaFactory()
    if isinstance(spec, dict):
        factory.set_launch('( %s )' % spec['launch'])
    else:
        factory.set_launch('( filesrc location="%s" ! qtdemux ! h264parse ! rtph264pay name=pay0 pt=96 config-interval=1 )' % spec)
    factory.set_shared(False)
    if cfg.get('user'):
        permissions = GstRtspServer.RTSPPermissions()
        permissions.add_permission_for_role('user', 'media.factory.access', True)
        permissions.add_permission_for_role('user', 'media.factory.construct', True)
        factory.set_permissions(permissions)
    mounts.add_factory(path, factory)
if cfg.get('user'):
    auth = GstRtspServer.RTSPAuth()
    token = GstRtspServer.RTSPToken()
    token.set_string('media.factory.role', 'user')
    auth.add_basic(GstRtspServer.RTSPAuth.make_basic(cfg['user'], cfg['password']), token)
    server.set_auth(auth)
if server.attach(None) == 0:
    print('ERROR cannot listen on port %s' % cfg['port'], flush=True)
    sys.exit(1)
loop = GLib.MainLoop()
signal.signal(signal.SIGTERM, lambda *a: loop.quit())
signal.signal(signal.SIGINT, lambda *a: loop.quit())
GLib.timeout_add(200, lambda: True)  # lets Python's signal handlers run
print('READY', flush=True)
loop.run()
