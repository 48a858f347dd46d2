"""gpuarray.testing - NumPy's array assertions for gpuarray arrays, under
cupy.testing's names.

    from gpuarray import testing
    testing.assert_allclose(cp.sin(x), numpy.sin(x_host), rtol=1e-6)

``numpy.testing`` cannot take a gpuarray.ndarray: it converts its arguments
with ``numpy.asanyarray``, and gpuarray refuses implicit conversion to NumPy
(``ndarray.__array__`` raises TypeError) so that no program copies a device
array to the host without saying so. A test does want that copy, so each
assertion here reads every gpuarray array among its arguments back with
``.get()`` (the explicit copy) and hands the host copies, with the same
parameters, to the ``numpy.testing`` function of the same name. Comparison,
tolerances, NaN handling and the failure messages are therefore exactly
NumPy's. Arguments may mix gpuarray arrays, NumPy arrays, scalars and
(nested) lists or tuples of any of them.

``strict`` is passed on only when it is True, so that a NumPy too old to
know it still runs every call that leaves it at its default.
"""
import numpy.testing as _np_testing

from gpuarray._core import ndarray as _device_ndarray

__all__ = [
    'assert_allclose', 'assert_array_almost_equal', 'assert_array_almost_equal_nulp',
    'assert_array_equal', 'assert_array_less', 'assert_array_list_equal',
    'assert_array_max_ulp', 'assert_equal',
]


def _to_host(value):
    """`value` with each gpuarray array in it replaced by its host copy.

    Lists, tuples and dicts are walked because NumPy accepts nested sequences
    (``[d0, d1]`` of 0-d device arrays is a fine `desired`) and assert_equal
    compares dicts and sequences item by item. A container with no device
    array in it is returned as it is, so that NumPy sees exactly what the
    caller passed (a tuple subclass stays itself)."""
    if isinstance(value, _device_ndarray):
        return value.get()
    if isinstance(value, (list, tuple)):
        items = [_to_host(v) for v in value]
        if all(new is old for new, old in zip(items, value)):
            return value
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, dict):
        items = {k: _to_host(v) for k, v in value.items()}
        if all(items[k] is v for k, v in value.items()):
            return value
        return items
    return value


def _strict_kwargs(strict):
    return {'strict': True} if strict else {}


def assert_allclose(actual, desired, rtol=1e-7, atol=0, equal_nan=True, err_msg='',
                    verbose=True, *, strict=False):
    """numpy.testing.assert_allclose on gpuarray and/or NumPy arguments:
    ``|actual - desired| <= atol + rtol * |desired|`` elementwise."""
    __tracebackhide__ = True  # pytest shows the caller's line, as NumPy's own does
    _np_testing.assert_allclose(_to_host(actual), _to_host(desired), rtol=rtol, atol=atol,
                                equal_nan=equal_nan, err_msg=err_msg, verbose=verbose,
                                **_strict_kwargs(strict))


def assert_array_almost_equal(actual, desired, decimal=6, err_msg='', verbose=True):
    """numpy.testing.assert_array_almost_equal on gpuarray and/or NumPy
    arguments: ``|desired - actual| < 1.5 * 10**(-decimal)`` elementwise."""
    __tracebackhide__ = True
    _np_testing.assert_array_almost_equal(_to_host(actual), _to_host(desired), decimal=decimal,
                                          err_msg=err_msg, verbose=verbose)


def assert_array_almost_equal_nulp(x, y, nulp=1):
    """numpy.testing.assert_array_almost_equal_nulp on gpuarray and/or NumPy
    arguments: equal to within `nulp` units in the last place, relative to
    the larger magnitude."""
    __tracebackhide__ = True
    _np_testing.assert_array_almost_equal_nulp(_to_host(x), _to_host(y), nulp=nulp)


def assert_array_max_ulp(a, b, maxulp=1, dtype=None):
    """numpy.testing.assert_array_max_ulp on gpuarray and/or NumPy arguments:
    at most `maxulp` units in the last place apart; returns the ULP distances
    (a NumPy array), as NumPy does."""
    __tracebackhide__ = True
    return _np_testing.assert_array_max_ulp(_to_host(a), _to_host(b), maxulp=maxulp, dtype=dtype)


def assert_array_equal(actual, desired, err_msg='', verbose=True, *, strict=False,
                       strides_check=False):
    """numpy.testing.assert_array_equal on gpuarray and/or NumPy arguments.

    ``strides_check=True`` (cupy.testing's option) also requires
    ``actual.strides == desired.strides``, read from the arguments as given
    (a device array's own strides, not its host copy's)."""
    __tracebackhide__ = True
    _np_testing.assert_array_equal(_to_host(actual), _to_host(desired), err_msg=err_msg,
                                   verbose=verbose, **_strict_kwargs(strict))
    if strides_check:
        got = getattr(actual, 'strides', None)
        want = getattr(desired, 'strides', None)
        if got is None or want is None or got != want:
            lines = ['Strides are not equal' + (': ' + err_msg if err_msg else '')]
            if verbose:
                lines += [' ACTUAL: %r' % (got,), ' DESIRED: %r' % (want,)]
            raise AssertionError('\n'.join(lines))


def assert_array_less(x, y, err_msg='', verbose=True, *, strict=False):
    """numpy.testing.assert_array_less on gpuarray and/or NumPy arguments:
    ``x < y`` elementwise."""
    __tracebackhide__ = True
    _np_testing.assert_array_less(_to_host(x), _to_host(y), err_msg=err_msg, verbose=verbose,
                                  **_strict_kwargs(strict))


def assert_array_list_equal(xlist, ylist, err_msg='', verbose=True):
    """assert_array_equal on each pair of two lists (or two tuples) of arrays
    of the same length (cupy.testing's helper; NumPy has none)."""
    __tracebackhide__ = True
    if not isinstance(xlist, (list, tuple)) or type(xlist) is not type(ylist):
        raise AssertionError('assert_array_list_equal takes two lists or two tuples, '
                             'not %s and %s' % (type(xlist).__name__, type(ylist).__name__))
    if len(xlist) != len(ylist):
        raise AssertionError('assert_array_list_equal: the lengths differ (%d and %d)'
                             % (len(xlist), len(ylist)))
    for x, y in zip(xlist, ylist):
        assert_array_equal(x, y, err_msg=err_msg, verbose=verbose)


def assert_equal(actual, desired, err_msg='', verbose=True, *, strict=False):
    """numpy.testing.assert_equal on gpuarray and/or NumPy arguments (arrays,
    scalars, and lists, tuples or dicts of them, compared item by item)."""
    __tracebackhide__ = True
    _np_testing.assert_equal(_to_host(actual), _to_host(desired), err_msg=err_msg,
                             verbose=verbose, **_strict_kwargs(strict))

