import { render } from 'preact';
import { App } from './app.js';
import { SurveyPage } from './survey/survey-page.js';
import './styles.css';
import './drill.css';

const root = document.getElementById('app')!;
const survey = location.pathname.match(/^\/s\/([^/]+)\/?$/);
if (survey) render(<SurveyPage survey={decodeURIComponent(survey[1]!)} />, root);
else render(<App />, root);
