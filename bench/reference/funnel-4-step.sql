-- Reference: 4-step ordered funnel over stages awareness → discovery → purchase → delivery.
-- A person counts at step k when steps 1..k happened in that order (ties allowed) within 30 days of
-- their first awareness event. Inbound events only (a newsletter sent is not a customer's step).
-- One pass over events: per person, the first step-1 time and the times of every later step as
-- lists; then the earliest in-order match of each step.
WITH p AS (
  SELECT coalesce(customer_id, 'anon:' || anonymous_id) AS person,
    min(ts) FILTER (stage = 'awareness') AS t1,
    list(ts) FILTER (stage = 'discovery') AS l2,
    list(ts) FILTER (stage = 'purchase') AS l3,
    list(ts) FILTER (stage = 'delivery') AS l4
  FROM events
  WHERE stage IN ('awareness', 'discovery', 'purchase', 'delivery') AND direction = 'inbound'
  GROUP BY 1
),
a AS (
  SELECT *, t1 + INTERVAL 30 DAY AS deadline,
    list_min(list_filter(l2, x -> x >= t1 AND x <= t1 + INTERVAL 30 DAY)) AS t2
  FROM p WHERE t1 IS NOT NULL
),
b AS (SELECT *, list_min(list_filter(l3, x -> x >= t2 AND x <= deadline)) AS t3 FROM a),
c AS (SELECT *, list_min(list_filter(l4, x -> x >= t3 AND x <= deadline)) AS t4 FROM b)
SELECT count(*) AS step1, count(t2) AS step2, count(t3) AS step3, count(t4) AS step4,
  median(epoch(t2) - epoch(t1)) AS median_s_2,
  median(epoch(t3) - epoch(t2)) AS median_s_3,
  median(epoch(t4) - epoch(t3)) AS median_s_4
FROM c
