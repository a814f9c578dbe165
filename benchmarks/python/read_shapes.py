"""Python side of benchmarks/read-shapes.bench.ts (issue 14): data files shaped like users' exports,
and pandas reading them in a fresh process.

  python read_shapes.py generate DIR [--scale 1.0]   writes the files, prints a JSON manifest
  python read_shapes.py read KIND FILE               imports pandas, then times one read; prints JSON

A read reports the seconds from the call to a ready DataFrame (imports excluded), the peak RSS the
read added over the RSS before it, and the frame's deep memory size.
"""
import json
import os
import re
import sys
import time

CODES_PER_COLUMN = 230


def codes(rng, count):
    """`count` distinct 3-letter upper-case codes (like currency, airport or country codes)."""
    letters = [chr(ord('A') + i) for i in range(26)]
    seen = []
    taken = set()
    while len(seen) < count:
        code = ''.join(rng.choice(letters, 3))
        if code not in taken:
            taken.add(code)
            seen.append(code)
    return seen


def generate(directory, scale):
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.feather as feather
    import pyarrow.parquet as pq

    rng = np.random.default_rng(14)
    files = {}

    def big_table(rows):
        # Timestamps with a microsecond part, two int64 (ids up to 2^40, counts), two code columns
        # of ~230 distinct values (one with 1% nulls), as a Polars export of events would be.
        start = np.datetime64('2023-01-01T00:00:00', 'us').astype(np.int64)
        ts = start + np.sort(rng.integers(0, 2 * 365 * 86_400 * 1_000_000, rows))
        ids = rng.integers(0, 1 << 40, rows, dtype=np.int64)
        counts = rng.integers(0, 5000, rows, dtype=np.int64)
        pool_a = np.array(codes(rng, CODES_PER_COLUMN), dtype=object)
        pool_b = np.array(codes(rng, CODES_PER_COLUMN), dtype=object)
        code_a = pool_a[rng.zipf(1.3, rows) % CODES_PER_COLUMN]
        code_b = pool_b[rng.integers(0, CODES_PER_COLUMN, rows)]
        missing = rng.random(rows) < 0.01
        return {
            'event_time': pa.array(ts, type=pa.timestamp('us')),
            'customer_id': pa.array(ids, type=pa.int64()),
            'quantity': pa.array(counts, type=pa.int64()),
            'currency': pa.array(code_a, type=pa.large_string()),
            'origin': pa.array(code_b, type=pa.large_string(), mask=missing),
        }

    rows = int(3_000_000 * scale)
    columns = big_table(rows)
    plain = pa.table(columns)
    # Polars' defaults: zstd, row groups of 512^2 rows, statistics; strings dictionary-encoded on pages.
    pq.write_table(plain, os.path.join(directory, 'events-plain.parquet'), compression='zstd', row_group_size=512 * 512)
    files['parquet-3m-plain'] = {'file': 'events-plain.parquet', 'rows': rows, 'reader': 'parquet'}
    dictionary = pa.table({
        name: (pc_dictionary(column) if name in ('currency', 'origin') else column) for name, column in columns.items()
    })
    pq.write_table(dictionary, os.path.join(directory, 'events-dictionary.parquet'), compression='zstd', row_group_size=512 * 512)
    files['parquet-3m-dictionary'] = {'file': 'events-dictionary.parquet', 'rows': rows, 'reader': 'parquet'}

    # A 200,000-row CSV and Arrow IPC file of the same shape (CSV timestamps as ISO text).
    mid = int(200_000 * scale)
    mid_table = pa.table(big_table(mid))
    frame = mid_table.to_pandas()
    frame['event_time'] = frame['event_time'].dt.strftime('%Y-%m-%d %H:%M:%S.%f')
    frame.to_csv(os.path.join(directory, 'events-200k.csv'), index=False)
    files['csv-200k'] = {'file': 'events-200k.csv', 'rows': mid, 'reader': 'csv'}
    with_float = mid_table.append_column('amount', pa.array(rng.gamma(2.0, 40.0, mid).round(2)))
    feather.write_feather(with_float, os.path.join(directory, 'events-200k.arrow'), compression='uncompressed')
    files['arrow-200k'] = {'file': 'events-200k.arrow', 'rows': mid, 'reader': 'arrow'}

    # 1,461 days x 6: date, four numbers, one text (a daily weather export).
    days = pd.date_range('2012-01-01', periods=1461, freq='D')
    weather = pd.DataFrame({
        'date': days.strftime('%Y-%m-%d'),
        'precipitation': rng.choice([0.0, 0.0, 0.0, 0.3, 1.5, 4.3, 10.9], len(days)),
        'temp_max': rng.normal(16, 7, len(days)).round(1),
        'temp_min': rng.normal(8, 5, len(days)).round(1),
        'wind': rng.gamma(3, 1.1, len(days)).round(1),
        'weather': rng.choice(['drizzle', 'rain', 'sun', 'snow', 'fog'], len(days)),
    })
    weather.to_csv(os.path.join(directory, 'weather-1461.csv'), index=False)
    files['csv-1461x6'] = {'file': 'weather-1461.csv', 'rows': 1461, 'reader': 'csv'}

    # 3,376 x 7: places with text and coordinates.
    n = 3376
    places = pd.DataFrame({
        'name': [f'Station {i:04d}' for i in range(n)],
        'city': rng.choice([f'City {c}' for c in codes(rng, 120)], n),
        'country': rng.choice(codes(rng, 40), n),
        'latitude': rng.uniform(-60, 70, n).round(6),
        'longitude': rng.uniform(-180, 180, n).round(6),
        'type': rng.choice(['airport', 'heliport', 'seaplane_base', 'closed'], n),
        'elevation_ft': rng.integers(-50, 12000, n),
    })
    places.loc[rng.random(n) < 0.03, 'elevation_ft'] = None
    places['elevation_ft'] = places['elevation_ft'].astype('Int64')
    places.to_csv(os.path.join(directory, 'places-3376.csv'), index=False)
    files['csv-3376x7'] = {'file': 'places-3376.csv', 'rows': n, 'reader': 'csv'}

    # 10,000 x 14: a customer/order export (text, dates, numbers).
    n = 10_000
    order_day = np.datetime64('2021-01-01') + rng.integers(0, 900, n)
    orders = pd.DataFrame({
        'order_id': np.arange(100_000, 100_000 + n),
        'order_date': pd.to_datetime(order_day).strftime('%Y-%m-%d'),
        'ship_date': pd.to_datetime(order_day + rng.integers(0, 8, n)).strftime('%Y-%m-%d'),
        'ship_mode': rng.choice(['Standard Class', 'Second Class', 'First Class', 'Same Day'], n),
        'customer_id': rng.choice([f'{a}-{b:05d}' for a, b in zip(codes(rng, 800), rng.integers(0, 99999, 800))], n),
        'segment': rng.choice(['Consumer', 'Corporate', 'Home Office'], n),
        'country': 'United States',
        'region': rng.choice(['East', 'West', 'Central', 'South'], n),
        'category': rng.choice(['Furniture', 'Office Supplies', 'Technology'], n),
        'sales': rng.gamma(1.5, 150, n).round(4),
        'quantity': rng.integers(1, 15, n),
        'discount': rng.choice([0.0, 0.1, 0.2, 0.3, 0.5], n),
        'profit': rng.normal(25, 80, n).round(4),
        'channel': rng.choice(['search', 'social', 'display', 'video', 'email', 'affiliate'], n),
    })
    orders.to_csv(os.path.join(directory, 'orders-10000.csv'), index=False)
    files['csv-10000x14'] = {'file': 'orders-10000.csv', 'rows': n, 'reader': 'csv'}

    # A JSON array of 200,000 records with 3 numeric fields.
    n = int(200_000 * scale)
    records = pd.DataFrame({'x': rng.normal(0, 1, n).round(6), 'y': rng.integers(0, 1000, n), 'z': rng.uniform(0, 100, n).round(3)})
    records.to_json(os.path.join(directory, 'records-200k.json'), orient='records')
    files['json-200k'] = {'file': 'records-200k.json', 'rows': n, 'reader': 'json'}

    print(json.dumps(files))


def pc_dictionary(column):
    return column.dictionary_encode()


def status(field):
    return int(re.search(field + r':\s+(\d+) kB', open('/proc/self/status').read()).group(1)) * 1024


def read(kind, file):
    import pandas as pd
    import pyarrow  # noqa: F401  (imported before timing, as pandas' own readers import it lazily)
    import pyarrow.feather  # noqa: F401
    import pyarrow.parquet  # noqa: F401

    readers = {
        'parquet': lambda: pd.read_parquet(file),
        'csv': lambda: pd.read_csv(file),
        'arrow': lambda: pd.read_feather(file),
        'json': lambda: pd.read_json(file, orient='records'),
    }
    before = status('VmRSS')
    with open('/proc/self/clear_refs', 'w') as handle:
        handle.write('5')
    start = time.perf_counter()
    frame = readers[kind]()
    seconds = time.perf_counter() - start
    peak = status('VmHWM')
    print(json.dumps({
        'seconds': seconds,
        'peakAdded': peak - before,
        'frameBytes': int(frame.memory_usage(deep=True).sum()),
        'rows': len(frame),
    }))


if __name__ == '__main__':
    if sys.argv[1] == 'generate':
        scale = float(sys.argv[sys.argv.index('--scale') + 1]) if '--scale' in sys.argv else 1.0
        generate(sys.argv[2], scale)
    else:
        read(sys.argv[2], sys.argv[3])
