import { CfnResource, type Stack, Token } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { HopaeSecretRotationPropsError, SecretsManagerEndpoint, type HopaeSecretRotationProps } from '../../lib';
import { APP_SECRET_ARNS, asList, attemptRotation, importByArn, logicalIdOf, REGION, synthRotation, type PolicyStatementJson } from './fixtures';

type Props = Partial<HopaeSecretRotationProps>;

/** A VPC as `new ec2.Vpc` makes it by default: public subnets and private ones with a NAT route, in two AZs. */
function natVpc(stack: Stack): ec2.Vpc {
  return new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
}

/** A VPC with no route out: isolated subnets only. */
function isolatedVpc(stack: Stack): ec2.Vpc {
  return new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
}

function functions(template: Template): Record<string, Record<string, any>> {
  return template.findResources('AWS::Lambda::Function');
}

function attempt(props: (stack: Stack) => Props): unknown {
  const { error, stack } = attemptRotation(props);
  // Checks run before anything is created under the construct.
  if (error !== undefined) {
    const rotation = stack.node.tryFindChild('Rotation');
    expect(rotation?.node.findAll().filter((c) => CfnResource.isCfnResource(c)) ?? []).toEqual([]);
  }
  return error;
}

function expectPropsError(props: (stack: Stack) => Props, prop: keyof HopaeSecretRotationProps, message: RegExp): void {
  const error = attempt(props);
  expect(error).toBeInstanceOf(HopaeSecretRotationPropsError);
  expect((error as HopaeSecretRotationPropsError).prop).toBe(prop);
  expect((error as Error).message).toMatch(message);
}

function statementsOfRole(template: Template, roleRef: unknown): PolicyStatementJson[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => asList(p.Properties.Roles).some((r) => JSON.stringify(r) === JSON.stringify(roleRef)))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as PolicyStatementJson[]);
}

describe('network placement', () => {
  test('by default the functions run outside any VPC, with no proxy variables', () => {
    // GIVEN the default configuration / WHEN synthesized
    const { template } = synthRotation();

    // THEN no function has a VPC configuration or proxy environment, and no security group exists
    const all = Object.values(functions(template));
    expect(all).toHaveLength(2);
    for (const fn of all) {
      expect(fn.Properties.VpcConfig).toBeUndefined();
      expect(Object.keys(fn.Properties.Environment.Variables)).not.toEqual(expect.arrayContaining(['HTTPS_PROXY']));
      expect(fn.Properties.Environment.Variables.NODE_USE_ENV_PROXY).toBeUndefined();
    }
    template.resourceCountIs('AWS::EC2::SecurityGroup', 0);
  });

  describe('in a VPC with NAT', () => {
    let template: Template;
    let vpc: ec2.Vpc;
    let stack: Stack;

    beforeAll(() => {
      // GIVEN a VPC with private subnets behind a NAT gateway
      ({ template, stack } = synthRotation((s) => {
        vpc = natVpc(s);
        return { vpc };
      }));
    });

    test('every function of the construct runs in its private subnets, with one security group', () => {
      // THEN the rotation and the audit (and any function added later) are placed alike
      const all = Object.values(functions(template));
      expect(all).toHaveLength(2);
      const privateSubnets = vpc.privateSubnets.map((s) => stack.resolve(s.subnetId));
      const groups = all.map((fn) => fn.Properties.VpcConfig.SecurityGroupIds);
      for (const fn of all) expect(fn.Properties.VpcConfig.SubnetIds).toEqual(privateSubnets);
      expect(groups[0]).toHaveLength(1);
      expect(groups[1]).toEqual(groups[0]);
    });

    test('the security group lets out HTTPS only and lets nothing in', () => {
      const groups = Object.values(template.findResources('AWS::EC2::SecurityGroup')).filter((g) =>
        String(g.Properties.GroupDescription).startsWith('Hopae secret rotation'),
      );
      expect(groups).toHaveLength(1);
      expect(groups[0]!.Properties.SecurityGroupEgress).toEqual([
        { CidrIp: '0.0.0.0/0', Description: 'HTTPS to Hopae and Secrets Manager', FromPort: 443, IpProtocol: 'tcp', ToPort: 443 },
      ]);
      expect(groups[0]!.Properties.SecurityGroupIngress).toBeUndefined();
      template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    });

    test("each function's role may manage the function's network interfaces", () => {
      const roles = Object.values(functions(template)).map((fn) => fn.Properties.Role['Fn::GetAtt'][0] as string);
      expect(new Set(roles).size).toBe(2);
      for (const role of roles) {
        const eni = statementsOfRole(template, { Ref: role }).filter((s) => s.Sid === 'ManageVpcNetworkInterfaces');
        expect(eni).toHaveLength(1);
        expect(asList(eni[0]!.Action).sort()).toEqual(
          [
            'ec2:AssignPrivateIpAddresses',
            'ec2:CreateNetworkInterface',
            'ec2:DeleteNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSubnets',
            'ec2:UnassignPrivateIpAddresses',
          ].sort(),
        );
        expect(eni[0]!.Resource).toBe('*');
      }
    });

    test('no interface endpoint is created: Secrets Manager is reached through the NAT route', () => {
      template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
      for (const fn of Object.values(functions(template))) expect(fn.Properties.Environment.Variables.AWS_ENDPOINT_URL_SECRETS_MANAGER).toBeUndefined();
    });
  });

  test('the service refresh function (refreshOnRotation) is placed, proxied and traced like the others', () => {
    // GIVEN a VPC, a proxy and ECS services to refresh
    const { template } = synthRotation((s) => {
      const vpc = natVpc(s);
      const cluster = ecs.Cluster.fromClusterAttributes(s, 'Cluster', { clusterName: 'apps', vpc });
      const appSecret = importByArn(s, 'Refreshed', APP_SECRET_ARNS[0]);
      return {
        vpc,
        httpsProxy: 'http://proxy.internal:3128',
        appSecrets: [appSecret],
        refreshOnRotation: [{ secret: appSecret, services: [ecs.FargateService.fromFargateServiceAttributes(s, 'Api', { cluster, serviceName: 'api' })] }],
      };
    });

    // THEN all three functions share the placement and the proxy variables, and each role may manage its interfaces
    const all = Object.values(functions(template));
    expect(all.map((fn) => fn.Properties.Handler).sort()).toEqual(['index.auditHandler', 'index.handler', 'index.refreshHandler']);
    const placements = new Set(all.map((fn) => JSON.stringify(fn.Properties.VpcConfig)));
    expect(placements.size).toBe(1);
    for (const fn of all) {
      expect(fn.Properties.VpcConfig).toBeDefined();
      expect(fn.Properties.Environment.Variables).toEqual(expect.objectContaining({ NODE_USE_ENV_PROXY: '1', HTTPS_PROXY: 'http://proxy.internal:3128', NO_PROXY: 'localhost,127.0.0.1' }));
      const role = fn.Properties.Role['Fn::GetAtt'][0] as string;
      expect(statementsOfRole(template, { Ref: role }).map((s) => s.Sid)).toContain('ManageVpcNetworkInterfaces');
    }
  });

  test('given subnets and security groups are used as they are, and no security group is created', () => {
    // GIVEN explicit subnets and an existing security group
    let group: ec2.ISecurityGroup;
    let vpc: ec2.Vpc;
    const { template, stack } = synthRotation((s) => {
      vpc = natVpc(s);
      group = ec2.SecurityGroup.fromSecurityGroupId(s, 'Existing', 'sg-0123456789abcdef0');
      return { vpc, vpcSubnets: { subnets: [vpc.privateSubnets[1]!] }, securityGroups: [group] };
    });

    // THEN
    for (const fn of Object.values(functions(template))) {
      expect(fn.Properties.VpcConfig).toEqual({ SubnetIds: [stack.resolve(vpc!.privateSubnets[1]!.subnetId)], SecurityGroupIds: ['sg-0123456789abcdef0'] });
    }
    expect(Object.values(template.findResources('AWS::EC2::SecurityGroup')).filter((g) => String(g.Properties.GroupDescription).startsWith('Hopae'))).toEqual([]);
  });

  describe('refuses placements that cannot work', () => {
    test('public subnets: a Lambda function there gets no public IP', () => {
      expectPropsError((s) => ({ vpc: natVpc(s), vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } }), 'vpcSubnets', /selects public subnets .*no public IP.*Select private subnets with a NAT route/);
    });

    test('names the subnets: by their construct path when created in the app (no id before deploy), else by id', () => {
      expectPropsError((s) => ({ vpc: natVpc(s), vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } }), 'vpcSubnets', /selects public subnets \(TestStack\/Vpc\/PublicSubnet1, TestStack\/Vpc\/PublicSubnet2\)/);
      expectPropsError(
        (s) => ({
          vpc: ec2.Vpc.fromVpcAttributes(s, 'Imported', { vpcId: 'vpc-1', availabilityZones: ['us-east-1a'], isolatedSubnetIds: ['subnet-0abc'] }),
          httpsProxy: 'http://10.0.0.10:3128',
        }),
        'secretsManagerEndpoint',
        /the functions' subnets subnet-0abc are isolated/,
      );
    });

    test('isolated subnets without a Secrets Manager endpoint', () => {
      expectPropsError((s) => ({ vpc: isolatedVpc(s), httpsProxy: 'http://10.0.0.10:3128' }), 'secretsManagerEndpoint', /is required: .*isolated.*Secrets Manager is out of reach.*createInterfaceEndpoint/);
    });

    test('isolated subnets without a proxy', () => {
      expectPropsError(
        (s) => ({ vpc: isolatedVpc(s), secretsManagerEndpoint: SecretsManagerEndpoint.createInterfaceEndpoint() }),
        'httpsProxy',
        /is required: .*isolated.*Hopae is out of reach.*URL of an HTTPS proxy/,
      );
    });

    test('an isolated subnet among private ones: an invocation may land in it', () => {
      expectPropsError(
        (s) => {
          const vpc = new ec2.Vpc(s, 'Vpc', {
            maxAzs: 2,
            natGateways: 1,
            subnetConfiguration: [
              { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
              { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
              { name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
            ],
          });
          return { vpc, vpcSubnets: { subnets: [vpc.privateSubnets[0]!, vpc.isolatedSubnets[0]!] } };
        },
        'secretsManagerEndpoint',
        /isolated/,
      );
    });

    test.each(['vpcSubnets', 'securityGroups', 'secretsManagerEndpoint'] as const)('%s without vpc', (prop) => {
      const value = {
        vpcSubnets: () => ({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }),
        securityGroups: (s: Stack) => [ec2.SecurityGroup.fromSecurityGroupId(s, 'G', 'sg-1')],
        secretsManagerEndpoint: () => SecretsManagerEndpoint.createInterfaceEndpoint(),
      }[prop];
      expectPropsError((s) => ({ [prop]: value(s) }), prop, /needs vpc/);
    });

    test('an empty list of security groups', () => {
      expectPropsError((s) => ({ vpc: natVpc(s), securityGroups: [] }), 'securityGroups', /is empty/);
    });

    test('subnets imported by id alone are trusted: their type cannot be known', () => {
      expect(
        attempt((s) => {
          const vpc = ec2.Vpc.fromVpcAttributes(s, 'Imported', { vpcId: 'vpc-1', availabilityZones: ['eu-central-1a'], privateSubnetIds: ['subnet-1'] });
          return { vpc, vpcSubnets: { subnets: [ec2.Subnet.fromSubnetId(s, 'Unknown', 'subnet-9')] } };
        }),
      ).toBeUndefined();
    });
  });

  describe('isolated subnets with a created Secrets Manager endpoint and a proxy', () => {
    let template: Template;
    let stack: Stack;
    beforeAll(() => {
      ({ template, stack } = synthRotation((s) => ({
        vpc: isolatedVpc(s),
        secretsManagerEndpoint: SecretsManagerEndpoint.createInterfaceEndpoint(),
        httpsProxy: 'http://10.0.0.10:3128',
      })));
    });

    test('an interface endpoint for Secrets Manager with private DNS, one interface per AZ of the subnets', () => {
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        ServiceName: `com.amazonaws.${REGION}.secretsmanager`,
        VpcEndpointType: 'Interface',
        PrivateDnsEnabled: true,
      });
      const endpoint = Object.values(template.findResources('AWS::EC2::VPCEndpoint'))[0]!;
      expect(endpoint.Properties.SubnetIds).toHaveLength(2);
    });

    test("the endpoint admits HTTPS from the functions' security group only", () => {
      const fnGroup = Object.values(functions(template))[0]!.Properties.VpcConfig.SecurityGroupIds[0];
      const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties);
      expect(ingress).toEqual([expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, SourceSecurityGroupId: fnGroup })]);
      // not open to the VPC's CIDR
      for (const group of Object.values(template.findResources('AWS::EC2::SecurityGroup'))) expect(group.Properties.SecurityGroupIngress).toBeUndefined();
    });

    test("the functions' security group also lets out the proxy's port, to the proxy's address only", () => {
      const group = Object.values(template.findResources('AWS::EC2::SecurityGroup')).find((g) => String(g.Properties.GroupDescription).startsWith('Hopae secret rotation'))!;
      expect(group.Properties.SecurityGroupEgress).toEqual([
        expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443 }),
        expect.objectContaining({ CidrIp: '10.0.0.10/32', FromPort: 3128, ToPort: 3128, Description: 'The egress proxy' }),
      ]);
    });

    test("every function goes through the proxy, except to loopback and Secrets Manager's hostname (the endpoint)", () => {
      for (const fn of Object.values(functions(template))) {
        const env = fn.Properties.Environment.Variables;
        expect(env.NODE_USE_ENV_PROXY).toBe('1');
        expect(env.HTTPS_PROXY).toBe('http://10.0.0.10:3128');
        expect(stack.resolve(env.NO_PROXY)).toEqual(
          { 'Fn::Join': ['', [`localhost,127.0.0.1,secretsmanager.${REGION}.`, { Ref: 'AWS::URLSuffix' }]] },
        );
        // private DNS: the SDK's standard hostname reaches the endpoint
        expect(env.AWS_ENDPOINT_URL_SECRETS_MANAGER).toBeUndefined();
      }
    });
  });

  test("an endpoint without private DNS is given to the SDK as AWS_ENDPOINT_URL_SECRETS_MANAGER, and exempt from the proxy", () => {
    // GIVEN a created endpoint without private DNS, and a proxy
    const { template } = synthRotation((s) => ({
      vpc: natVpc(s),
      secretsManagerEndpoint: SecretsManagerEndpoint.createInterfaceEndpoint({ privateDnsEnabled: false }),
      httpsProxy: 'http://proxy.internal:3128',
    }));

    // THEN the endpoint's first DNS name is the SDK's endpoint and a NO_PROXY entry
    const endpointId = Object.keys(template.findResources('AWS::EC2::VPCEndpoint'))[0]!;
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { PrivateDnsEnabled: false });
    const dnsName = { 'Fn::Select': [1, { 'Fn::Split': [':', { 'Fn::Select': [0, { 'Fn::GetAtt': [endpointId, 'DnsEntries'] }] }] }] };
    for (const fn of Object.values(functions(template))) {
      const env = fn.Properties.Environment.Variables;
      expect(env.AWS_ENDPOINT_URL_SECRETS_MANAGER).toEqual({ 'Fn::Join': ['', ['https://', dnsName]] });
      expect(env.NO_PROXY).toEqual({ 'Fn::Join': ['', ['localhost,127.0.0.1,', dnsName]] });
    }
    // a host name: the proxy's port is open to any address
    const group = Object.values(template.findResources('AWS::EC2::SecurityGroup')).find((g) => String(g.Properties.GroupDescription).startsWith('Hopae secret rotation'))!;
    expect(group.Properties.SecurityGroupEgress).toContainEqual(expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 3128, ToPort: 3128 }));
  });

  test('an existing endpoint: its security group admits the functions, and its URL reaches the SDK when given', () => {
    // GIVEN an endpoint of the organisation's, imported with its security group
    const url = 'https://vpce-0a1b2c3d4e5f-abcdefgh.secretsmanager.eu-central-1.vpce.amazonaws.com';
    const { template } = synthRotation((s) => ({
      vpc: natVpc(s),
      secretsManagerEndpoint: SecretsManagerEndpoint.fromInterfaceEndpoint(
        ec2.InterfaceVpcEndpoint.fromInterfaceVpcEndpointAttributes(s, 'Endpoint', {
          vpcEndpointId: 'vpce-0a1b2c3d4e5f',
          port: 443,
          securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(s, 'EndpointGroup', 'sg-0endpoint')],
        }),
        { endpointUrl: url },
      ),
      httpsProxy: 'http://proxy.internal:3128',
      noProxy: ['.internal.example.com'],
    }));

    // THEN no endpoint is created; the existing one's group admits 443 from the functions' group
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { GroupId: 'sg-0endpoint', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' });
    for (const fn of Object.values(functions(template))) {
      const env = fn.Properties.Environment.Variables;
      expect(env.AWS_ENDPOINT_URL_SECRETS_MANAGER).toBe(url);
      expect(env.NO_PROXY).toBe('localhost,127.0.0.1,vpce-0a1b2c3d4e5f-abcdefgh.secretsmanager.eu-central-1.vpce.amazonaws.com,.internal.example.com');
    }
  });

  test.each([
    ['http', 'http://vpce-1.secretsmanager.eu-central-1.vpce.amazonaws.com'],
    ['a path', 'https://vpce-1.secretsmanager.eu-central-1.vpce.amazonaws.com/x'],
    ['not a URL', 'vpce-1.secretsmanager.eu-central-1.vpce.amazonaws.com'],
  ])('refuses an existing endpoint URL with %s', (_name, endpointUrl) => {
    expectPropsError(
      (s) => ({
        vpc: natVpc(s),
        secretsManagerEndpoint: SecretsManagerEndpoint.fromInterfaceEndpoint(
          ec2.InterfaceVpcEndpoint.fromInterfaceVpcEndpointAttributes(s, 'Endpoint', { vpcEndpointId: 'vpce-1', port: 443 }),
          { endpointUrl },
        ),
      }),
      'secretsManagerEndpoint',
      /endpointUrl must be https:\/\/<the endpoint's DNS name>/,
    );
  });
});

describe('egress proxy', () => {
  test('without a VPC: every function gets the proxy variables, loopback and noProxy exempt', () => {
    // GIVEN a proxy and hosts to reach directly / WHEN synthesized
    const { template } = synthRotation({ httpsProxy: 'http://proxy.example.com:8080', noProxy: ['secretsmanager.eu-central-1.amazonaws.com', '10.0.0.0/8'] });

    // THEN
    const all = Object.values(functions(template));
    expect(all).toHaveLength(2);
    for (const fn of all) {
      expect(fn.Properties.Environment.Variables).toEqual(
        expect.objectContaining({
          NODE_USE_ENV_PROXY: '1',
          HTTPS_PROXY: 'http://proxy.example.com:8080',
          NO_PROXY: 'localhost,127.0.0.1,secretsmanager.eu-central-1.amazonaws.com,10.0.0.0/8',
        }),
      );
      expect(fn.Properties.VpcConfig).toBeUndefined();
    }
  });

  test('an https proxy on its default port', () => {
    const { template } = synthRotation({ httpsProxy: 'https://proxy.example.com' });
    for (const fn of Object.values(functions(template))) expect(fn.Properties.Environment.Variables.HTTPS_PROXY).toBe('https://proxy.example.com');
  });

  test.each([
    ['a user and password', 'http://user:secret@proxy.example.com:8080', /must not hold a user or password: the URL is stored in plain text/],
    ['a socks proxy', 'socks5://proxy.example.com:1080', /must be an http:\/\/ or https:\/\/ URL/],
    ['no scheme', 'proxy.example.com:8080', /must be an http:\/\/ or https:\/\/ URL/],
    ['a path', 'http://proxy.example.com:8080/pac', /must be only scheme, host and port/],
  ])('refuses a proxy URL with %s, without echoing a password', (_name, httpsProxy, message) => {
    const error = attempt(() => ({ httpsProxy }));
    expect(error).toBeInstanceOf(HopaeSecretRotationPropsError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('secret@');
  });

  test('refuses noProxy without httpsProxy, and an entry that would split into two', () => {
    expectPropsError(() => ({ noProxy: ['example.com'] }), 'noProxy', /has no effect without httpsProxy/);
    expectPropsError(() => ({ httpsProxy: 'http://p:1', noProxy: ['a.com,b.com'] }), 'noProxy', /one host, domain or address range per entry/);
  });

  test('a deploy-time proxy URL needs security groups of your own in a VPC (its port is unknown)', () => {
    const tokenUrl = Token.asString({ Ref: 'ProxyUrl' });
    expectPropsError((s) => ({ vpc: natVpc(s), httpsProxy: tokenUrl }), 'httpsProxy', /must be known at synth time .* give securityGroups/);
    expect(attempt((s) => ({ vpc: natVpc(s), httpsProxy: tokenUrl, securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(s, 'G', 'sg-1')] }))).toBeUndefined();
    expect(attempt(() => ({ httpsProxy: tokenUrl }))).toBeUndefined();
  });
});

test('the network construct holds only what the placement needs', () => {
  // a reader finds the security group and the endpoint under <construct>/Network
  const { rotation } = synthRotation((s) => ({ vpc: isolatedVpc(s), secretsManagerEndpoint: SecretsManagerEndpoint.createInterfaceEndpoint(), httpsProxy: 'http://10.0.0.10:3128' }));
  const network = rotation.node.findChild('Network');
  expect(network.node.findAll().filter((c) => CfnResource.isCfnResource(c)).map((c) => (c as CfnResource).cfnResourceType).sort()).toEqual(
    // the functions' group and the endpoint's, HTTPS from one to the other, the endpoint
    ['AWS::EC2::SecurityGroup', 'AWS::EC2::SecurityGroup', 'AWS::EC2::SecurityGroupEgress', 'AWS::EC2::SecurityGroupIngress', 'AWS::EC2::VPCEndpoint'].sort(),
  );
  expect(logicalIdOf(network.node.findChild('SecurityGroup'))).toMatch(/^RotationNetworkSecurityGroup/);
});
