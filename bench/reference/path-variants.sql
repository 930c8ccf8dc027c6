-- Reference: top 10 path variants (each person's touchpoint sequence in time order, ties broken by
-- touchpoint name), with the share of people each covers.
WITH v AS (
  SELECT list(touchpoint ORDER BY ts, touchpoint) AS variant
  FROM events
  GROUP BY coalesce(customer_id, 'anon:' || anonymous_id)
)
SELECT array_to_string(variant, ' > ') AS variant, count(*) AS people,
  count(*) / sum(count(*)) OVER () AS share
FROM v
GROUP BY v.variant
ORDER BY people DESC, 1
LIMIT 10
