import * as grpc from '@grpc/grpc-js';
import { DATA_PLANE_AUTH_METADATA_KEY, bearerCredential } from '@hotswap/proto';
import type { ControlPlaneAuth } from '../config/data-plane-config';

/** The channel credentials of the streams to the control plane: TLS (with a client certificate: mTLS) or plaintext. */
export function controlPlaneChannelCredentials(auth: ControlPlaneAuth): grpc.ChannelCredentials {
  const tls = auth.tls;
  if (!tls) return grpc.credentials.createInsecure();
  return grpc.credentials.createSsl(tls.ca, tls.key ?? null, tls.cert ?? null);
}

/**
 * The metadata of one stream call: the token (when configured) and `waitForReady`, which belongs in the metadata
 * options (grpc-js ignores it in CallOptions, and calls would fail fast).
 */
export function controlPlaneCallMetadata(auth: ControlPlaneAuth): grpc.Metadata {
  const metadata = new grpc.Metadata({ waitForReady: true });
  if (auth.token !== undefined) metadata.set(DATA_PLANE_AUTH_METADATA_KEY, bearerCredential(auth.token));
  return metadata;
}
