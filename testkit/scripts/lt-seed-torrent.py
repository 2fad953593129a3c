#!/usr/bin/python3
"""Seeds a given .torrent with libtorrent, for interop tests of torrents other tools wrote.

Usage: lt-seed-torrent.py TORRENT SAVE_PATH

TORRENT may be any file libtorrent accepts, e.g. one whose info dictionary is not canonical
bencode (libtorrent hashes the info section's bytes as written). Its content must be under
SAVE_PATH. Seeds from 127.0.0.1 only (no DHT, LSD, UPnP or NAT-PMP), announcing to the torrent's
trackers, and prints one JSON line: {"port", "infohash"}. It seeds until its standard input closes.
Run it with Debian's /usr/bin/python3 (python3-libtorrent).
"""
import json
import sys
import time

import libtorrent as lt


def main():
    torrent, save_path = sys.argv[1:3]
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
    params.ti = lt.torrent_info(torrent)
    params.save_path = save_path
    handle = session.add_torrent(params)
    deadline = time.time() + 30
    # A full check (no seed mode): the test's files must match the torrent's piece hashes.
    while not handle.status().is_seeding:
        if time.time() > deadline:
            sys.exit('libtorrent did not start seeding within 30 s: %s' % handle.status().state)
        time.sleep(0.05)
    handle.force_reannounce()
    print(json.dumps({
        'port': session.listen_port(),
        'infohash': str(params.ti.info_hashes().v1),
    }), flush=True)
    sys.stdin.read()


if __name__ == '__main__':
    main()
