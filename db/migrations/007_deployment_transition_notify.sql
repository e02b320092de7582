-- Every deployment transition is announced on commit: pg_notify('hotswap_deployment_transition', '<deploymentId>'),
-- so a WatchDeployment stream on any control-plane replica hears it, whichever replica (or job) made it.
CREATE FUNCTION notify_deployment_transition() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('hotswap_deployment_transition', NEW.deployment_id);
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER trg_deployment_transition_notify
    AFTER INSERT ON deployment_transitions
    FOR EACH ROW EXECUTE FUNCTION notify_deployment_transition();
