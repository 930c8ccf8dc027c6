-- Reference: the journey-map grid of the default journey: stage × touchpoint × channel with people
-- reached, share of the stage's people, conversion to the next stage (any later event in the next
-- stage), median and p90 hours to it. Inbound events only, stage from journey_touchpoints.
WITH j AS (SELECT id FROM journeys ORDER BY is_default DESC, id LIMIT 1),
st AS (SELECT stage, position FROM journey_stages WHERE journey_id = (SELECT id FROM j)),
e AS (
  SELECT coalesce(ev.customer_id, 'anon:' || ev.anonymous_id) AS person, ev.ts, ev.channel, ev.touchpoint,
    st.stage, st.position
  FROM events ev
  JOIN journey_touchpoints jt ON jt.touchpoint = ev.touchpoint AND jt.journey_id = (SELECT id FROM j)
  JOIN st ON st.stage = jt.stage
  WHERE ev.direction = 'inbound'
),
stage_times AS (SELECT person, position, list(ts) AS times FROM e GROUP BY ALL),
cell AS (SELECT stage, position, touchpoint, channel, person, min(ts) AS ts FROM e GROUP BY ALL),
conv AS (
  SELECT c.*, list_min(list_filter(s.times, x -> x >= c.ts)) AS next_ts
  FROM cell c LEFT JOIN stage_times s ON s.person = c.person AND s.position = c.position + 1
),
stage_people AS (SELECT position, count(DISTINCT person) AS n FROM e GROUP BY ALL)
SELECT stage, touchpoint, channel, count(*) AS people, count(*) / any_value(sp.n) AS share_of_stage,
  count(next_ts) / count(*) AS conversion,
  median(epoch(next_ts) - epoch(ts)) / 3600 AS median_h, quantile_cont(epoch(next_ts) - epoch(ts), 0.9) / 3600 AS p90_h
FROM conv JOIN stage_people sp USING (position)
GROUP BY stage, conv.position, touchpoint, channel
ORDER BY conv.position, people DESC
