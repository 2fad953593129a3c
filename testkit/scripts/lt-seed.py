#!/usr/bin/python3
"""Torrents made and seeded by libtorrent (the engine of qBittorrent and Deluge), for interop tests.

Usage: lt-seed.py CONTENT_DIR OUT_DIR ANNOUNCE_URL PIECE_LENGTH

Makes three .torrent files of the folder CONTENT_DIR in OUT_DIR: hybrid.torrent (v1 + v2, with
BEP 47 pad files: libtorrent's default), v1.torrent (v1 only) and v2.torrent (v2 only, BEP 52).
Then seeds the hybrid one from 127.0.0.1 only (no DHT, LSD, UPnP or NAT-PMP), announcing to
ANNOUNCE_URL, and prints one JSON line: {"port", "infohash", "magnet" (btih + btmh), "torrents"}.
It seeds until its standard input closes. Run it with Debian's /usr/bin/python3 (python3-libtorrent).
"""
import json
import os
import sys
import time

import libtorrent as lt


def make(content_dir, piece_length, announce, flags):
    fs = lt.file_storage()
    lt.add_files(fs, content_dir)
    ct = lt.create_torrent(fs, piece_length, flags=flags)
    ct.add_tracker(announce)
    ct.set_creator('libtorrent %s (tseeder interop fixture)' % lt.__version__)
    lt.set_piece_hashes(ct, os.path.dirname(os.path.abspath(content_dir)))
    return lt.bencode(ct.generate())


def main():
    content_dir, out_dir, announce, piece_length = sys.argv[1:5]
    piece_length = int(piece_length)
    kinds = {
        'hybrid': 0,
        'v1': lt.create_torrent.v1_only,
        'v2': lt.create_torrent.v2_only,
    }
    torrents = {}
    for kind, flags in kinds.items():
        path = os.path.join(out_dir, kind + '.torrent')
        with open(path, 'wb') as f:
            f.write(make(content_dir, piece_length, announce, flags))
        torrents[kind] = path

    session = lt.session({
        'listen_interfaces': '127.0.0.1:0',
        'outgoing_interfaces': '127.0.0.1',
        'enable_dht': False,
        'enable_lsd': False,
        'enable_upnp': False,
        'enable_natpmp': False,
        'allow_multiple_connections_per_ip': True,
        'alert_mask': 0,
    })
    params = lt.add_torrent_params()
    params.ti = lt.torrent_info(torrents['hybrid'])
    params.save_path = os.path.dirname(os.path.abspath(content_dir))
    params.flags = lt.torrent_flags.seed_mode
    handle = session.add_torrent(params)
    deadline = time.time() + 30
    while not handle.status().is_seeding:
        if time.time() > deadline:
            sys.exit('libtorrent did not start seeding within 30 s')
        time.sleep(0.05)
    handle.force_reannounce()
    print(json.dumps({
        'port': session.listen_port(),
        'infohash': str(params.ti.info_hashes().v1),
        'magnet': lt.make_magnet_uri(params.ti),
        'torrents': torrents,
        'libtorrent': lt.__version__,
    }), flush=True)
    sys.stdin.read()  # seeds until the test closes our standard input (or ends us)


if __name__ == '__main__':
    main()
