import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { hotReloadContext, readPipelineConfig } from '../../../lib/config.js';
import { DEFAULT_BUNDLES_DIR } from '../../../lib/function-bundles.js';
import { projectPath } from '../../../lib/project-paths.js';
import {
  LOCAL_CLUSTER_ARN,
  LOCAL_READER_SECRET_ARN,
  LOCAL_SECRET_ARN,
} from '../../../local/data-api/local-arns.js';

const configFrom = (context: Record<string, unknown>) => readPipelineConfig(new App({ context }).node);

describe('reading the deployment context', () => {
  it('defaults to LocalStack with the compose Data API server and its fixed ARNs', () => {
    expect(configFrom({})).toEqual({
      target: 'localstack',
      stackName: 'InfectedCodePipeline',
      architecture: 'x86_64',
      database: {
        kind: 'emulator',
        endpoint: 'http://data-api:8080',
        clusterArn: LOCAL_CLUSTER_ARN,
        secretArn: LOCAL_SECRET_ARN,
        readerSecretArn: LOCAL_READER_SECRET_ARN,
      },
      localstackGateway: 'http://localhost:4566',
    });
  });

  it('builds the path-form API URL on the gateway the context names, without a trailing slash', () => {
    expect(configFrom({ localstackGateway: 'http://127.0.0.1:4599/' }).localstackGateway).toBe(
      'http://127.0.0.1:4599',
    );
  });

  it('uses Aurora on the aws target', () => {
    expect(configFrom({ target: 'aws' }).database).toEqual({ kind: 'aurora' });
  });

  it('creates Aurora on LocalStack when asked (LocalStack Pro)', () => {
    expect(configFrom({ target: 'localstack', database: 'aurora' })).toMatchObject({
      target: 'localstack',
      database: { kind: 'aurora' },
    });
  });

  it('takes the Data API endpoint and ARNs from context, e.g. for host-mode LocalStack', () => {
    expect(
      configFrom({
        dataApiEndpoint: 'http://127.0.0.1:4510',
        dbClusterArn: 'arn:aws:rds:eu-west-1:000000000000:cluster:other',
        dbSecretArn: 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:other',
        dbReaderSecretArn: 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:other-reader',
      }).database,
    ).toEqual({
      kind: 'emulator',
      endpoint: 'http://127.0.0.1:4510',
      clusterArn: 'arn:aws:rds:eu-west-1:000000000000:cluster:other',
      secretArn: 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:other',
      readerSecretArn: 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:other-reader',
    });
  });

  it('allows a second copy of the stack under another name, and arm64 functions', () => {
    expect(configFrom({ stackName: 'InfectedCodePipelineB', architecture: 'arm64' })).toMatchObject({
      stackName: 'InfectedCodePipelineB',
      architecture: 'arm64',
    });
  });

  it('refuses an unknown target, architecture or database, naming the context key', () => {
    expect(() => configFrom({ target: 'azure' })).toThrow(/context target must be one of localstack, aws/);
    expect(() => configFrom({ architecture: 'riscv' })).toThrow(/context architecture/);
    expect(() => configFrom({ database: 'mysql' })).toThrow(/context database/);
    expect(() => configFrom({ stackName: '' })).toThrow(/context stackName/);
  });

  it('takes the alarm e-mail address from context on the aws target, and none by default', () => {
    expect(configFrom({ target: 'aws', alarmEmail: ' ops@example.co.uk ' }).alarmEmail).toBe(
      'ops@example.co.uk',
    );
    expect(configFrom({ target: 'aws' })).not.toHaveProperty('alarmEmail');
  });

  it('refuses an alarm e-mail that is not one address, or on LocalStack, where there are no alarms', () => {
    for (const bad of [
      'ops',
      'ops@example',
      'a@b.com,c@d.com',
      'Ops <ops@example.com>',
      '',
      'o ps@example.com',
    ]) {
      expect(() => configFrom({ target: 'aws', alarmEmail: bad }), bad).toThrow(/context alarmEmail/);
    }
    expect(() => configFrom({ alarmEmail: 'ops@example.com' })).toThrow(/only possible with target=aws/);
  });

  it('refuses the emulator on the aws target', () => {
    expect(() => configFrom({ target: 'aws', database: 'emulator' })).toThrow(
      /only possible with target=localstack/,
    );
  });

  it('runs the functions from hot-reload folders only when asked, by default under .cache/function-bundles', () => {
    expect(configFrom({})).not.toHaveProperty('hotReload');
    expect(configFrom({ hotReload: 'false' })).not.toHaveProperty('hotReload');
    expect(configFrom({ hotReload: 'true' }).hotReload).toEqual({ bundlesDir: DEFAULT_BUNDLES_DIR });
    expect(configFrom({ hotReload: true }).hotReload).toEqual({ bundlesDir: DEFAULT_BUNDLES_DIR });
  });

  it('takes the hot-reload folder from context, a relative one from the repository root', () => {
    expect(configFrom({ hotReload: 'true', hotReloadDir: '/srv/bundles' }).hotReload).toEqual({
      bundlesDir: '/srv/bundles',
    });
    expect(configFrom({ hotReload: 'true', hotReloadDir: 'tmp/bundles' }).hotReload).toEqual({
      bundlesDir: projectPath('tmp', 'bundles'),
    });
  });

  it('reads back the context flags a hot-reload deployment is given', () => {
    const args = hotReloadContext('/srv/bundles');
    const context = Object.fromEntries(
      args.filter((_, index) => index % 2 === 1).map((pair) => pair.split('=') as [string, string]),
    );
    expect(configFrom(context).hotReload).toEqual({ bundlesDir: '/srv/bundles' });
  });

  it('refuses hot reload on the aws target, and a value that is not true or false', () => {
    expect(() => configFrom({ target: 'aws', hotReload: 'true' })).toThrow(
      /hotReload=true is only possible with target=localstack/,
    );
    expect(() => configFrom({ hotReload: 'yes' })).toThrow(/context hotReload must be one of true, false/);
  });
});
