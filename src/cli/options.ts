// tandem-cli's command line, a subset of redis-cli's with the same spelling and messages:
// options first, then an optional command with its arguments (parsing stops at the first word
// that is not an option, so command arguments may start with '-').

export interface CliOptions {
  host: string;
  port: number;
  user: string | null;
  password: string | null;
  db: number;
  /** null: decided by whether stdout is a terminal. */
  raw: boolean | null;
  resp3: boolean;
  noAuthWarning: boolean;
  /** -x: the last argument is read from stdin. */
  stdinLastArg: boolean;
  /** -u / -a was used: redis-cli warns that the password is visible in the process list. */
  passwordOnCommandLine: boolean;
  command: string[];
  help: boolean;
  version: boolean;
}

export class CliUsageError extends Error {}

export const USAGE = `Usage: tandem-cli [OPTIONS] [cmd [arg [arg ...]]]
  -h <hostname>      Server hostname (default: 127.0.0.1).
  -p <port>          Server port (default: 6379).
  -a <password>      Password to use when connecting to the server.
                     You can also use the REDISCLI_AUTH environment
                     variable to pass this password more safely.
  --user <username>  Used to send ACL style 'AUTH username pass'. Needs -a.
  --pass <password>  Alias of -a for consistency with the new --user option.
  --no-auth-warning  Don't show warning message when using password on command
                     line interface.
  -u <uri>           Server URI: redis://[user:password@]host[:port][/db].
  -n <db>            Database number.
  -2                 Start session in RESP2 protocol mode.
  -3                 Start session in RESP3 protocol mode.
  -x                 Read last argument from STDIN.
  --raw              Use raw formatting for replies (default when STDOUT is
                     not a tty).
  --no-raw           Force formatted output even when STDOUT is not a tty.
  --help             Output this help and exit.
  -v, --version      Output version and exit.

Examples:
  tandem-cli -p 6380 set greeting hello
  tandem-cli -n 2 --raw lrange mylist 0 -1
  cat /etc/passwd | tandem-cli -x set mypasswd
  tandem-cli -u redis://user:secret@127.0.0.1:6379/0 ping

When no command is given, tandem-cli starts in interactive mode.
`;

function parseUri(uri: string, o: CliOptions): void {
  const scheme = uri.slice(0, uri.indexOf('://') + 3);
  if (scheme !== 'redis://') {
    throw new CliUsageError(`Invalid URI scheme: ${scheme === '' ? uri : scheme}`);
  }
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new CliUsageError(`Invalid URI: ${uri}`);
  }
  if (url.hostname !== '') o.host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (url.port !== '') o.port = Number(url.port);
  if (url.username !== '') o.user = decodeURIComponent(url.username);
  if (url.password !== '') o.password = decodeURIComponent(url.password);
  const path = url.pathname.replace(/^\//, '');
  if (path !== '') o.db = Number.parseInt(path, 10) || 0;
  o.passwordOnCommandLine ||= url.password !== '';
}

export function parseCliArgs(argv: string[], env: NodeJS.ProcessEnv = {}): CliOptions {
  const o: CliOptions = {
    host: '127.0.0.1',
    port: 6379,
    user: null,
    password: env.REDISCLI_AUTH ?? null,
    db: 0,
    raw: null,
    resp3: false,
    noAuthWarning: false,
    stdinLastArg: false,
    passwordOnCommandLine: false,
    command: [],
    help: false,
    version: false,
  };
  let i = 0;
  const value = (): string => {
    if (i + 1 >= argv.length) throw new CliUsageError(`Unrecognized option or bad number of args for: '${argv[i]}'`);
    return argv[++i];
  };
  for (; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case '-h':
        o.host = value();
        break;
      case '-p':
        o.port = Number.parseInt(value(), 10);
        break;
      case '-a':
      case '--pass':
        o.password = value();
        o.passwordOnCommandLine = true;
        break;
      case '--user':
        o.user = value();
        break;
      case '-n':
        o.db = Number.parseInt(value(), 10);
        break;
      case '-u':
        parseUri(value(), o);
        break;
      case '--no-auth-warning':
        o.noAuthWarning = true;
        break;
      case '--raw':
        o.raw = true;
        break;
      case '--no-raw':
        o.raw = false;
        break;
      case '-2':
        o.resp3 = false;
        break;
      case '-3':
        o.resp3 = true;
        break;
      case '-x':
        o.stdinLastArg = true;
        break;
      case '--help':
        o.help = true;
        break;
      case '-v':
      case '--version':
        o.version = true;
        break;
      default:
        if (a.startsWith('-')) throw new CliUsageError(`Unrecognized option or bad number of args for: '${a}'`);
        o.command = argv.slice(i);
        return o;
    }
  }
  return o;
}
