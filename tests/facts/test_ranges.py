"""Pure reasoning about lists of ranges: overlaps in words, the shortest equivalent list."""

from __future__ import annotations

import ipaddress

from articles.facts.ranges import describe_overlaps, shortest_equivalent

net = ipaddress.ip_network


def test_describe_overlaps_says_inside_and_contains():
    flags = describe_overlaps([net("3.93.157.0/24"), net("3.93.157.24/32"), net("10.0.0.0/8")])
    assert flags == {
        net("3.93.157.24/32"): "inside 3.93.157.0/24",
        net("3.93.157.0/24"): "contains 3.93.157.24/32",
    }


def test_describe_overlaps_names_the_closest_container_first_and_says_where_from():
    flags = describe_overlaps(
        [net("10.0.0.0/8"), net("10.1.0.0/16"), net("10.1.2.3/32")],
        where={net("10.0.0.0/8"): " (already listed)", net("10.1.0.0/16"): " (line 2)"},
    )
    assert flags[net("10.1.2.3/32")] == "inside 10.1.0.0/16 (line 2), 10.0.0.0/8 (already listed)"


def test_describe_overlaps_counts_what_it_does_not_name():
    inner = [net(f"192.0.2.{n}/32") for n in range(5)]
    flags = describe_overlaps([net("192.0.2.0/24"), *inner])
    assert flags[net("192.0.2.0/24")] == "contains 192.0.2.0/32, 192.0.2.1/32, 192.0.2.2/32 and 2 more"


def test_describe_overlaps_keeps_ipv4_and_ipv6_apart():
    assert describe_overlaps([net("0.0.0.0/0"), net("2001:db8::/32")]) == {}


def test_shortest_equivalent_merges_neighbours_per_ip_version():
    shortest = shortest_equivalent(
        [
            net("192.0.2.0/25"),
            net("192.0.2.128/25"),
            net("192.0.2.7/32"),
            net("2001:db8::/33"),
            net("2001:db8:8000::/33"),
        ]
    )
    assert shortest == [net("192.0.2.0/24"), net("2001:db8::/32")]


# vendor_ranges_check ------------------------------------------------------------------------
