-- Reference: directly-follows graph of touchpoints with transition counts, distinct people and
-- median transition time. A person's events in time order (ties broken by touchpoint name).
WITH e AS (
  SELECT coalesce(customer_id, 'anon:' || anonymous_id) AS person, touchpoint, ts,
    lead(touchpoint) OVER w AS next_touchpoint,
    lead(ts) OVER w AS next_ts
  FROM events
  WINDOW w AS (PARTITION BY coalesce(customer_id, 'anon:' || anonymous_id) ORDER BY ts, touchpoint)
)
SELECT touchpoint AS source, next_touchpoint AS target, count(*) AS transitions,
  count(DISTINCT person) AS people, median(epoch(next_ts) - epoch(ts)) AS median_s
FROM e
WHERE next_touchpoint IS NOT NULL
GROUP BY ALL
ORDER BY transitions DESC
