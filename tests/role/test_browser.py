# -*- coding: utf-8 -*-
# The HTML report in a real browser: headless Chromium loads it from disk, the rendered DOM must hold the
# failed and out-of-compliance VMs (and no script element), and a screenshot is saved under tests/output/role/
# for a human to look at; its top is decoded to check that the status badge really rendered in colour.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import json
import struct
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

OUTPUT = Path(__file__).resolve().parents[2] / 'tests' / 'output' / 'role'
FAILED_RED = (0xc6, 0x28, 0x28)


class ReportDom(HTMLParser):
    """Collects what the tests look at in the rendered DOM: VM cells per section and row class, scripts, status, text."""

    def __init__(self):
        super().__init__()
        self.section = None
        self.row_class = None
        self.in_vm_cell = False
        self.in_status = False
        self.vms = {}
        self.scripts = 0
        self.status = ''
        self.text = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == 'section':
            self.section = attrs.get('id')
        elif tag == 'tr':
            self.row_class = attrs.get('class')
        elif tag == 'td' and attrs.get('class') == 'vm':
            self.in_vm_cell = True
        elif tag == 'script':
            self.scripts += 1
        elif attrs.get('id') == 'status':
            self.in_status = True

    def handle_endtag(self, tag):
        if tag == 'td':
            self.in_vm_cell = False
        elif tag == 'p':
            self.in_status = False

    def handle_data(self, data):
        self.text.append(data)
        if self.in_vm_cell:
            self.vms.setdefault((self.section, self.row_class), []).append(data.strip())
        if self.in_status:
            self.status += data.strip()


def parse_dom(dom):
    parser = ReportDom()
    parser.feed(dom)
    return parser


def png_top_pixels(path, rows):
    """RGB pixels of the first rows of an 8-bit, non-interlaced RGB/RGBA PNG (what Chromium writes)."""
    data = Path(path).read_bytes()
    assert data[:8] == b'\x89PNG\r\n\x1a\n'
    width, height, depth, colour, _c, _f, interlace = struct.unpack('>IIBBBBB', data[16:29])
    assert depth == 8 and colour in (2, 6) and interlace == 0
    channels = 4 if colour == 6 else 3
    stream, offset = b'', 8
    while offset < len(data):
        length, kind = struct.unpack('>I4s', data[offset:offset + 8])
        if kind == b'IDAT':
            stream += data[offset + 8:offset + 8 + length]
        offset += 12 + length
    stride = width * channels
    raw = zlib.decompressobj().decompress(stream, (stride + 1) * rows)
    previous = bytearray(stride)
    pixels = set()
    for row in range(min(rows, height)):
        kind, line = raw[row * (stride + 1)], bytearray(raw[row * (stride + 1) + 1:(row + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xff
            elif kind == 2:
                line[i] = (line[i] + up) & 0xff
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xff
            elif kind == 4:
                estimate = left + up - corner
                pa, pb, pc = abs(estimate - left), abs(estimate - up), abs(estimate - corner)
                predictor = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
                line[i] = (line[i] + predictor) & 0xff
        pixels.update(tuple(line[i:i + 3]) for i in range(0, stride, channels))
        previous = line
    return width, height, pixels


def test_recorded_report_in_chromium(chromium, recorded_report):
    html = recorded_report.dir / 'task_session_report.html'
    dom = parse_dom(chromium.dump_dom(html))
    assert dom.status == 'FAILED'
    assert dom.vms[('failed-sessions', 'failed')] == ['sql02']
    assert dom.vms[('compliance', 'noncompliant')] == ['ghost', 'SQL02']
    assert dom.vms[('compliance', 'compliant')] == ['fs02', 'sql01']
    # the hostile reason is text on the page, not markup
    assert dom.scripts == 0
    assert 'Error: <script>alert("x")</script> & C:\\Temp\\ [a] {b} | pipe' in ''.join(dom.text)
    png = chromium.screenshot(html, OUTPUT / 'recorded_report.png', width=1280, height=2000)
    width, height, top = png_top_pixels(png, rows=140)
    assert (width, height) == (1280, 2000)
    assert FAILED_RED in top, 'the red FAILED badge is not in the top of the screenshot %s' % png


@pytest.fixture(scope='module')
def em_html_report(run_playbook, em_env, tmp_path_factory):
    """The role against the simulator, with the connection only in VEEAM_EM_* variables."""
    report_dir = tmp_path_factory.mktemp('em-browser-report')
    result = run_playbook('report_from_em.yml', {'required_vms': ['no-such-vm-x1'], 'since': '7d', 'max_age': '24h',
                                                 'report_dir': str(report_dir), 'gate': False},
                          env=em_env, inventory='inventory.ini')
    assert result.returncode == 0, result.stdout + result.stderr
    return report_dir


def test_em_report_in_chromium(chromium, em_html_report):
    report = json.loads((em_html_report / 'task_session_report.json').read_text(encoding='utf-8'))
    failed_vms = [s['vm_name'] for s in report['failed_sessions']]
    assert report['summary']['sessions'] > 0
    assert failed_vms, 'the simulator data should contain failed sessions'
    dom = parse_dom(chromium.dump_dom(em_html_report / 'task_session_report.html'))
    assert dom.status == 'FAILED'
    assert dom.vms[('failed-sessions', 'failed')] == failed_vms
    assert dom.vms[('compliance', 'noncompliant')] == ['no-such-vm-x1']
    job_vms = [vm for (section, _cls), names in dom.vms.items() if section == 'jobs' for vm in names]
    assert set(failed_vms) <= set(job_vms)
    assert dom.scripts == 0
    png = chromium.screenshot(em_html_report / 'task_session_report.html', OUTPUT / 'em_report.png', width=1280, height=2400)
    width, _height, top = png_top_pixels(png, rows=140)
    assert width == 1280
    assert FAILED_RED in top
