import type { EChartsCoreOption } from 'echarts/core';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { download, exportName, toCsv } from '../csv.js';
import { useApp } from '../state.js';
import { DataTable } from './table.js';

/**
 * The colour scale and cell series of a heatmap of percentages (0 red … 100 green), whose cells are
 * `[x, y, percent | null]`; a cell without a figure shows '–'. Shared by the journey's conversion
 * heatmap and the health page's retention table.
 */
export function percentHeatmap(cells: readonly (readonly [number, number, number | null])[]) {
  return {
    visualMap: {
      min: 0,
      max: 100,
      calculable: false,
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
      inRange: { color: ['#b91c1c', '#facc15', '#15803d'] },
      text: ['100 %', '0 %'],
    },
    series: [
      {
        type: 'heatmap',
        data: cells,
        label: {
          show: true,
          formatter: (p: { data: [number, number, number | null] }) =>
            p.data[2] === null ? '–' : `${p.data[2]}`,
        },
      },
    ],
  };
}

/**
 * A 95 % interval drawn as a shaded band: an invisible line at the lower bound with the band's width
 * stacked on it. `low` and `width` are per point (null where there is no interval to draw).
 */
export function intervalBand(
  low: readonly (number | null)[],
  width: readonly (number | null)[],
  color: string,
  opacity = 0.15,
) {
  const line = {
    type: 'line',
    stack: 'ci',
    stackStrategy: 'all',
    lineStyle: { opacity: 0 },
    symbol: 'none',
    silent: true,
  };
  return [
    { ...line, data: low },
    { ...line, data: width, areaStyle: { color, opacity } },
  ];
}

type ECharts = ReturnType<typeof import('./echarts.js')['echarts']['init']>;

/**
 * One chart: ECharts on a canvas (loaded on demand), with PNG export of the picture and CSV export of
 * the data behind it. `rows` is that data; screen readers get it as a table on request.
 */
export function Chart(props: {
  title: string;
  option: EChartsCoreOption;
  rows: readonly Record<string, unknown>[];
  height?: number;
  onClick?: (params: { name?: string; data?: unknown; dataType?: string }) => void;
}) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | null>(null);
  const { dark } = useApp();
  const [showData, setShowData] = useState(false);
  const onClick = useRef(props.onClick);
  onClick.current = props.onClick;

  // The option object is rebuilt on every render of the page; what the chart draws changes only when
  // its data does. Its JSON (formatters left out) is the key: the chart is drawn once per change of it,
  // on one ECharts instance per element and theme, never disposed while the pointer is over it.
  const option = useRef(props.option);
  option.current = props.option;
  const key = useMemo(() => JSON.stringify(props.option), [props.option]);
  const draw = (c: ECharts) => {
    c.setOption({ backgroundColor: 'transparent', animation: false, ...option.current }, { notMerge: true });
    if (el.current) el.current.dataset.renders = String(Number(el.current.dataset.renders ?? 0) + 1);
  };

  useEffect(() => {
    let disposed = false;
    let ro: ResizeObserver | undefined;
    void import('./echarts.js').then(({ echarts }) => {
      if (disposed || !el.current) return;
      const c = echarts.init(el.current, dark ? 'dark' : undefined, { renderer: 'canvas' });
      draw(c);
      c.on('click', (p) => onClick.current?.(p as { name?: string; data?: unknown; dataType?: string }));
      chart.current = c;
      ro = new ResizeObserver(() => c.resize());
      ro.observe(el.current);
    });
    return () => {
      disposed = true;
      ro?.disconnect();
      chart.current?.dispose();
      chart.current = null;
    };
  }, [dark]);

  const drawn = useRef(key);
  useEffect(() => {
    if (drawn.current === key) return;
    drawn.current = key;
    if (chart.current) draw(chart.current);
  }, [key]);

  const png = () => {
    const c = chart.current;
    if (!c) return;
    const url = c.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: dark ? '#14181f' : '#ffffff' });
    void fetch(url)
      .then((r) => r.blob())
      .then((b) => download(exportName(props.title, 'png'), b, 'image/png'));
  };
  return (
    <figure class="chart">
      <div class="chart-tools">
        <button type="button" class="btn small" onClick={png} aria-label={`Export ${props.title} as PNG`}>
          PNG
        </button>
        <button
          type="button"
          class="btn small"
          onClick={() => download(exportName(props.title, 'csv'), toCsv(props.rows))}
          aria-label={`Export data of ${props.title} as CSV`}
        >
          CSV
        </button>
        <button
          type="button"
          class="btn small"
          aria-expanded={showData}
          onClick={() => setShowData((s) => !s)}
        >
          {showData ? 'Hide data' : 'Data'}
        </button>
      </div>
      <div
        ref={el}
        class="chart-canvas"
        style={{ height: `${props.height ?? 280}px` }}
        role="img"
        aria-label={props.title}
      />
      {showData && <DataTable title={props.title} rows={props.rows} />}
    </figure>
  );
}
