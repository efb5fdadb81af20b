/**
 * ECS set-up on moto_server: a cluster and a service whose task definition injects a secret as an
 * environment variable (`secrets` in the container definition), the consumer `refreshOnRotation`
 * redeploys and `hopae-rotation consumers` finds. moto records services and deployments; it runs
 * no container.
 */
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  type ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';

export interface EcsServiceOnMoto {
  readonly clusterArn: string;
  readonly serviceArn: string;
  readonly serviceName: string;
  readonly taskDefinitionArn: string;
}

/** A cluster (created if new), a task definition injecting `secretArn` as HOPAE_CLIENT_SECRET... and a service running it. */
export async function createServiceInjecting(
  ecs: ECSClient,
  options: { cluster: string; service: string; secretArn: string; variable?: string },
): Promise<EcsServiceOnMoto> {
  const { cluster } = await ecs.send(new CreateClusterCommand({ clusterName: options.cluster }));
  const { taskDefinition } = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: options.service,
      containerDefinitions: [
        {
          name: 'app',
          image: 'public.ecr.aws/docker/library/busybox:latest',
          memory: 128,
          secrets: [{ name: options.variable ?? 'HOPAE_CREDENTIALS', valueFrom: options.secretArn }],
        },
      ],
    }),
  );
  const { service } = await ecs.send(
    new CreateServiceCommand({ cluster: options.cluster, serviceName: options.service, taskDefinition: taskDefinition!.taskDefinitionArn!, desiredCount: 1 }),
  );
  return { clusterArn: cluster!.clusterArn!, serviceArn: service!.serviceArn!, serviceName: options.service, taskDefinitionArn: taskDefinition!.taskDefinitionArn! };
}

/** The id of the service's PRIMARY deployment: a new one after UpdateService with forceNewDeployment. */
export async function primaryDeploymentId(ecs: ECSClient, cluster: string, service: string): Promise<string> {
  const { services } = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  const deployments = services?.[0]?.deployments ?? [];
  const primary = deployments.find((d) => d.status === 'PRIMARY') ?? deployments[0];
  if (!primary?.id) throw new Error(`service ${service} in ${cluster} has no deployment`);
  return primary.id;
}
