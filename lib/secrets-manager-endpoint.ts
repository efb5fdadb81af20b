import { Fn, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';

/** Options of `SecretsManagerEndpoint.createInterfaceEndpoint`. */
export interface SecretsManagerInterfaceEndpointOptions {
  /**
   * Whether the endpoint answers for Secrets Manager's standard hostname
   * (`secretsmanager.<region>.amazonaws.com`) throughout the VPC. A VPC holds only one private-DNS
   * endpoint per service: when it already has one for Secrets Manager, use
   * `SecretsManagerEndpoint.fromInterfaceEndpoint` instead (or set this to false). Private DNS
   * needs the VPC's `enableDnsHostnames` and `enableDnsSupport`.
   *
   * False: only the functions use the endpoint, through its own DNS name, which the construct
   * passes them as `AWS_ENDPOINT_URL_SECRETS_MANAGER`.
   *
   * @default true
   */
  readonly privateDnsEnabled?: boolean;
}

/** Options of `SecretsManagerEndpoint.fromInterfaceEndpoint`. */
export interface ExistingSecretsManagerEndpointOptions {
  /**
   * The endpoint's own https URL, for an endpoint without private DNS, e.g.
   * `https://vpce-0a1b2c3d4e5f-abcdefgh.secretsmanager.eu-central-1.vpce.amazonaws.com` (its first
   * DNS entry). The functions then reach Secrets Manager through it
   * (`AWS_ENDPOINT_URL_SECRETS_MANAGER`).
   *
   * @default - the endpoint has private DNS: Secrets Manager's standard hostname reaches it
   */
  readonly endpointUrl?: string;
}

/** What the construct needs from a bound endpoint. */
interface BoundEndpoint {
  /** Given to the functions as AWS_ENDPOINT_URL_SECRETS_MANAGER when Secrets Manager's own hostname does not reach the endpoint. */
  readonly endpointUrl?: string;
  /** The hostname the functions connect to, which an egress proxy must let through (NO_PROXY). */
  readonly hostname: string;
}

/**
 * How the construct's functions reach Secrets Manager from a VPC without a route to the internet:
 * through an interface VPC endpoint (AWS PrivateLink), created here or existing. Without one they
 * need a NAT route (or the egress proxy) to Secrets Manager's public endpoint.
 */
export class SecretsManagerEndpoint {
  /**
   * Creates an interface endpoint for Secrets Manager in the functions' VPC, one network interface
   * per Availability Zone of their subnets, with a security group that admits HTTPS from the
   * functions' security groups only. It costs per hour and per AZ (AWS PrivateLink pricing).
   */
  static createInterfaceEndpoint(options: SecretsManagerInterfaceEndpointOptions = {}): SecretsManagerEndpoint {
    return new SecretsManagerEndpoint({ kind: 'create', privateDnsEnabled: options.privateDnsEnabled ?? true });
  }

  /**
   * An existing interface endpoint for Secrets Manager in the functions' VPC. The construct admits
   * HTTPS from the functions' security groups to the endpoint's (when those are known and
   * mutable). Give `endpointUrl` when the endpoint has no private DNS.
   */
  static fromInterfaceEndpoint(endpoint: ec2.IInterfaceVpcEndpoint, options: ExistingSecretsManagerEndpointOptions = {}): SecretsManagerEndpoint {
    return new SecretsManagerEndpoint({ kind: 'existing', endpoint, endpointUrl: options.endpointUrl });
  }

  private constructor(
    private readonly source:
      | { readonly kind: 'create'; readonly privateDnsEnabled: boolean }
      | { readonly kind: 'existing'; readonly endpoint: ec2.IInterfaceVpcEndpoint; readonly endpointUrl: string | undefined },
  ) {}

  /** The endpoint URL given for an existing endpoint, for the construct's checks. @internal */
  get _givenEndpointUrl(): string | undefined {
    return this.source.kind === 'existing' ? this.source.endpointUrl : undefined;
  }

  /**
   * Creates or adopts the endpoint for functions in `vpc` and `subnets` with `securityGroups`.
   * @internal
   */
  _bind(scope: Construct, vpc: ec2.IVpc, subnets: ec2.SubnetSelection, securityGroups: ec2.ISecurityGroup[]): BoundEndpoint {
    const standardHostname = `secretsmanager.${Stack.of(scope).region}.${Stack.of(scope).urlSuffix}`;
    if (this.source.kind === 'existing') {
      for (const group of securityGroups) this.source.endpoint.connections.allowDefaultPortFrom(group, 'HTTPS from the Hopae rotation functions');
      const url = this.source.endpointUrl;
      return url === undefined ? { hostname: standardHostname } : { endpointUrl: url, hostname: hostnameOf(url) };
    }
    const endpoint = new ec2.InterfaceVpcEndpoint(scope, 'SecretsManagerEndpoint', {
      vpc,
      service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      subnets: { ...subnets, onePerAz: true },
      privateDnsEnabled: this.source.privateDnsEnabled,
      // Not open to the whole VPC: only the functions' security groups may connect.
      open: false,
    });
    for (const group of securityGroups) endpoint.connections.allowDefaultPortFrom(group, 'HTTPS from the Hopae rotation functions');
    if (this.source.privateDnsEnabled) return { hostname: standardHostname };
    // DnsEntries are "hostedZoneId:dnsName"; the first is the endpoint's regional name.
    const hostname = Fn.select(1, Fn.split(':', Fn.select(0, endpoint.vpcEndpointDnsEntries)));
    return { endpointUrl: `https://${hostname}`, hostname };
  }
}

/** The host of an https URL (checked by validate-props.ts); of a deploy-time URL, the part after `https://`. */
function hostnameOf(url: string): string {
  if (Token.isUnresolved(url)) return Fn.select(2, Fn.split('/', url));
  return new URL(url).hostname;
}
