import { useState } from 'preact/hooks';
import { type ApiError, postJson } from './api.js';

/** Sign-in for people who are not on the server's own machine (there, `touchpoint start` signs you in). */
export function Login(props: { onDone: () => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      await postJson('/api/v1/auth/login', { username, password });
      props.onDone();
    } catch (x) {
      const ae = x as ApiError;
      setError(ae.status === 401 || ae.status === 403 ? 'Wrong username or password.' : ae.message);
    }
  };
  return (
    <main class="survey" id="main">
      <h1>Sign in to Touchpoint</h1>
      <form onSubmit={submit} class="login">
        <label class="filter">
          <span>Username</span>
          <input
            required
            autoComplete="username"
            value={username}
            onInput={(e) => setUsername((e.target as HTMLInputElement).value)}
          />
        </label>
        <label class="filter">
          <span>Password</span>
          <input
            required
            type="password"
            autoComplete="current-password"
            value={password}
            onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
          />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="btn primary big">
          Sign in
        </button>
      </form>
    </main>
  );
}
