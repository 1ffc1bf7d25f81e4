import { useState } from 'preact/hooks';
import { useDesktop } from './context.js';

/** Username and password; errors (wrong password, session expired) shown above the form. */
export function LoginForm() {
  const [desktop, state] = useDesktop();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    const ok = await desktop.login(username.trim(), password);
    setBusy(false);
    if (ok) setPassword('');
  };

  return (
    <main class="login">
      <form class="login-form" onSubmit={submit} aria-labelledby="login-title" noValidate>
        <h1 id="login-title">Parley desktop</h1>
        <p class="muted">Sign in with your agent or supervisor account.</p>
        {state.loginError && (
          <p class="form-error" role="alert" id="login-error">
            {state.loginError}
          </p>
        )}
        <label for="login-username">Username</label>
        <input
          id="login-username"
          name="username"
          autoComplete="username"
          required
          value={username}
          onInput={(e) => setUsername((e.target as HTMLInputElement).value)}
          aria-describedby={state.loginError ? 'login-error' : undefined}
        />
        <label for="login-password">Password</label>
        <input id="login-password" name="password" type="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
        <button type="submit" class="primary" disabled={busy || !username || !password}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {state.sso && (
          <p class="login-sso">
            <a class="button" id="login-sso" href="/agent/v1/sso/start">
              {state.sso.label}
            </a>
          </p>
        )}
      </form>
    </main>
  );
}
