#!/usr/bin/env python3
"""random_tables.py - prints the two tables of kernels/random.cuh's float32
log and sin/cos(2 pi u) (the text between the "tables" markers there):

    ga_rand_log_table[32]      {c, 1/c, log(c)} per interval j of the
                               reduced argument z in [0.69921875, 1.3984375):
                               z's bits 0x3f330000 + j * 2**18 + [0, 2**18);
                               c the interval's midpoint, except c = 1 for the
                               interval holding 1 and its two neighbours (so
                               that log(1 + tiny) is computed without
                               cancellation, and the intervals next to them
                               have |log c| well above |r|)
    ga_rand_sincos_table[64]   {sin, cos} of 2 pi j / 64, from the first
                               quadrant by symmetry (exact 0 and +-1)

Small on purpose: 512 bytes each, 4 cache lines, so that a warp's 32
different look-ups touch few lines.

Each entry is the float nearest the long-double value, written with 9
significant digits (which read back as that float on every compiler).

    .venv/bin/python scripts/random_tables.py > /tmp/tables.txt
"""
import numpy as np

LD = np.longdouble
TWO_PI = LD('6.283185307179586476925286766559005768394')


def f32(x):
    t = '{:.9g}'.format(float(np.float32(x)))
    if '.' not in t and 'e' not in t:
        t += '.0'
    return t + 'f'


def bits_to_f32(b):
    return np.array([b], np.uint32).view(np.float32)[0]


def log_table():
    rows = []
    for j in range(32):
        lo = 0x3f330000 + (j << 18)
        if 18 <= j <= 20:
            c = np.float32(1.0)
        else:
            c = bits_to_f32(lo + (1 << 17))
        invc = np.float32(LD(1) / LD(float(c)))
        logc = np.float32(np.log(LD(float(c))))
        rows.append('    {{{}, {}, {}, 0.0f}},'.format(f32(c), f32(invc), f32(logc)))
    return rows


def sincos_table():
    base = [(np.sin(TWO_PI * r / 64), np.cos(TWO_PI * r / 64)) for r in range(16)]
    base[0] = (LD(0), LD(1))
    rows = []
    for j in range(64):
        q, r = divmod(j, 16)
        s, c = base[r]
        s, c = [(s, c), (c, -s), (-s, -c), (-c, s)][q]
        rows.append('    {{{}, {}}},'.format(f32(s), f32(c)))
    return rows


if __name__ == '__main__':
    print('GA_RAND_TABLE const ga_rand_log_entry ga_rand_log_table[32] = {')
    print('\n'.join(log_table()))
    print('};')
    print('GA_RAND_TABLE const ga_rand_sincos_entry ga_rand_sincos_table[64] = {')
    print('\n'.join(sincos_table()))
    print('};')
