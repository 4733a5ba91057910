#!/usr/bin/env python3
"""tests/bench/pagertab_test.py — host unit test of the table code of `make bench`
(tests/bench/pagertab.py): log parsing, median, spread, ratio, and that a kernel with no
figures shows n/a. Run by `make check-bench`; unittest from the standard library."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pagertab  # noqa: E402

LINUX_LOG = """\
[    0.000000] Linux version 6.1.0
@@BEGIN kernel=Linux release=6.1.0
@@SHA 0123abcd /bin/pagerbench
@@R anon_zero_fill 1000.0 pages/s\r
@@R anon_zero_fill 3.9 MiB/s
some kernel noise @@R fake 1 MiB/s
@@R broken x MiB/s
@@FAIL cow rc=3
@@SKIP vnode_cold no page-cache drop control (/proc/sys/vm/drop_caches)
@@END
"""


class ParseLog(unittest.TestCase):
    def test_figures_markers_and_noise(self):
        run = pagertab.parse_log(LINUX_LOG)
        self.assertTrue(run["begun"])
        self.assertTrue(run["ended"])
        self.assertEqual(run["sha"], "0123abcd")
        self.assertEqual(run["figures"], [("anon_zero_fill", "pages/s", 1000.0),
                                          ("anon_zero_fill", "MiB/s", 3.9)])
        self.assertEqual(run["fails"], ["malformed figure: broken x MiB/s", "cow rc=3"])
        self.assertEqual(len(run["skips"]), 1)

    def test_unfinished_boot(self):
        run = pagertab.parse_log("@@BEGIN kernel=Linux\n@@R anon_zero_fill 5 pages/s\n")
        self.assertTrue(run["begun"])
        self.assertFalse(run["ended"])
        self.assertEqual(run["figures"], [("anon_zero_fill", "pages/s", 5.0)])

    def test_nimbus_without_user_space(self):
        run = pagertab.parse_log("nimbus: booting\nnimbus> ")
        self.assertFalse(run["begun"])
        self.assertEqual(run["figures"], [])


class Statistics(unittest.TestCase):
    def test_median_odd_even_empty(self):
        self.assertEqual(pagertab.median([3.0, 1.0, 2.0]), 2.0)
        self.assertEqual(pagertab.median([4.0, 1.0, 2.0, 3.0]), 2.5)
        self.assertIsNone(pagertab.median([]))

    def test_spread(self):
        self.assertAlmostEqual(pagertab.spread([90.0, 100.0, 110.0]), 20.0)
        self.assertIsNone(pagertab.spread([100.0]))
        self.assertIsNone(pagertab.spread([0.0, 0.0]))

    def test_ratio(self):
        self.assertAlmostEqual(pagertab.ratio(50.0, 200.0), 0.25)
        self.assertIsNone(pagertab.ratio(None, 200.0))
        self.assertIsNone(pagertab.ratio(5.0, 0.0))


class Table(unittest.TestCase):
    def runs(self, kernel, values):
        return [{"begun": True, "ended": True, "sha": "s", "fails": [], "skips": [],
                 "figures": [("read_warm_4k", "MiB/s", v)]} for v in values]

    def test_both_kernels(self):
        rows = pagertab.build_rows({"nimbus": self.runs("nimbus", [10.0, 30.0, 20.0]),
                                    "linux": self.runs("linux", [40.0, 40.0])})
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0]["median"], {"nimbus": 20.0, "linux": 40.0})
        self.assertAlmostEqual(rows[0]["ratio"], 0.5)
        self.assertAlmostEqual(rows[0]["spread"]["nimbus"], 100.0)
        table = pagertab.render_table(rows)
        self.assertIn("| read_warm_4k", table)
        self.assertIn("0.50", table)
        self.assertIn("3 / 2", table)

    def test_nimbus_na(self):
        rows = pagertab.build_rows({"nimbus": [], "linux": self.runs("linux", [40.0])})
        self.assertIsNone(rows[0]["ratio"])
        self.assertIn("| n/a", pagertab.render_table(rows))
        self.assertIn("NaN 40.0", pagertab.render_dat(rows))
        notes = pagertab.render_notes({"nimbus": [], "linux": []},
                                      {"nimbus": "Nimbus has no user space yet"})
        self.assertEqual(notes, ["nimbus: n/a (Nimbus has no user space yet)"])

    def test_different_binaries_are_flagged(self):
        a = self.runs("linux", [1.0])
        b = self.runs("nimbus", [1.0])
        b[0]["sha"] = "other"
        notes = pagertab.render_notes({"nimbus": b, "linux": a}, {})
        self.assertTrue(any("DIFFERENT" in n for n in notes))


class Trust(unittest.TestCase):
    def test_missing_feature_is_not_wrong_data(self):
        nimbus = pagertab.parse_log("@@BEGIN\n@@R anon_zero_fill 5.0 pages/s\n"
                                    "@@FAIL writeback rc=2\n@@END\n")
        linux = pagertab.parse_log("@@BEGIN\n@@R anon_zero_fill 9.0 pages/s\n@@END\n")
        runs = {"nimbus": [nimbus], "linux": [linux]}
        self.assertEqual(pagertab.untrustworthy(runs, []), [])
        nimbus["fails"].append("cow rc=3")
        self.assertEqual(pagertab.untrustworthy(runs, []), ["nimbus: cow rc=3"])

    def test_linux_failure_and_different_binaries(self):
        linux = pagertab.parse_log("@@BEGIN\n@@FAIL writeback rc=2\n@@END\n")
        self.assertEqual(pagertab.untrustworthy({"linux": [linux]}, []),
                         ["linux: writeback rc=2"])
        self.assertEqual(pagertab.untrustworthy({}, ["DIFFERENT pagerbench binaries ran: a, b"]),
                         ["DIFFERENT pagerbench binaries ran: a, b"])


if __name__ == "__main__":
    unittest.main()
