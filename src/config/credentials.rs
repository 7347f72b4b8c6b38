//! A profile's credentials: from its `[auth]` section (every variable read through the
//! `Environment`), or where the official SDKs would find them; and how doctor shows
//! them, secrets masked.

use std::path::Path;
use std::time::Duration;

use secrecy::SecretString;

use crate::api::{AccessKey, Credentials, PasswordLogin, TokenCommand, TokenSource};

use super::origin::{Origin, Setting, key_id, mask};
use super::{AuthConfig, ConfigError, Environment, ProfileConfig, config_error, sdk_credentials};

impl ProfileConfig {
    /// The `[auth]` section's credentials, or (without one) those the official SDKs
    /// would find; and the project id those carry, if any.
    pub(super) fn credentials(
        &self,
        path: &Path,
        name: &str,
        env: &Environment,
        settings: &mut Vec<Setting>,
    ) -> Result<(Credentials, Option<(String, Origin)>), ConfigError> {
        if let Some(auth) = &self.auth {
            let credentials = auth.resolve(path, name, env)?;
            describe_credentials(&credentials, Origin::Config, settings);
            return Ok((credentials, None));
        }
        let found = sdk_credentials::find(env).map_err(|e| {
            config_error(
                path,
                format_args!("profile `{name}`: {e}"),
                "Fix the SDK credentials, or add [profiles.NAME.auth].",
            )
        })?;
        let Some(found) = found else {
            return Err(config_error(
                path,
                format_args!(
                    "profile `{name}` has no [auth] section and no SDK credentials were found"
                ),
                "Export HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (as the official SDKs read them), write them to ~/.huaweicloud/credentials under [basic], or add [profiles.NAME.auth].",
            ));
        };
        let credentials = Credentials {
            token: None,
            access_key: Some(found.access_key),
        };
        describe_credentials(&credentials, found.origin.clone(), settings);
        let project = found.project_id.map(|id| {
            let origin = match &found.origin {
                Origin::Env(_) => Origin::Env("HUAWEICLOUD_SDK_PROJECT_ID".into()),
                other => other.clone(),
            };
            (id, origin)
        });
        Ok((credentials, project))
    }
}

/// What doctor shows of the credentials: which kind, the key id's tail, secrets masked.
/// From the SDK variables, each part names its own variable.
fn describe_credentials(credentials: &Credentials, origin: Origin, settings: &mut Vec<Setting>) {
    use secrecy::ExposeSecret;
    let from = |variable: &str| match &origin {
        Origin::Env(_) => Origin::Env(variable.to_string()),
        other => other.clone(),
    };
    if let Some(token) = &credentials.token {
        let kind = match token {
            TokenSource::Env(var) => format!("token from ${var}"),
            TokenSource::Command(command) => format!(
                "token from the command `{}` (stopped after {})",
                command.argv.first().map(String::as_str).unwrap_or_default(),
                humantime::format_duration(command.timeout)
            ),
            TokenSource::Password(login) => format!("IAM password login of {}", login.user),
            TokenSource::Fixed(value) => mask(value.expose_secret()),
        };
        settings.push(Setting::new("auth.token", kind, origin.clone()));
    }
    if let Some(key) = &credentials.access_key {
        settings.push(Setting::new(
            "auth.access_key",
            key_id(&key.access_key),
            from("HUAWEICLOUD_SDK_AK"),
        ));
        settings.push(Setting::new(
            "auth.secret_key",
            mask(key.secret_key.expose_secret()),
            from("HUAWEICLOUD_SDK_SK"),
        ));
        if let Some(token) = &key.security_token {
            settings.push(Setting::new(
                "auth.security_token",
                mask(token.expose_secret()),
                from("HUAWEICLOUD_SDK_SECURITY_TOKEN"),
            ));
        }
    }
}

fn secret_from_env(
    path: &Path,
    profile: &str,
    key: &str,
    var: &str,
    env: &Environment,
) -> Result<SecretString, ConfigError> {
    match env.var(var) {
        Some(value) => Ok(SecretString::from(value)),
        None => Err(config_error(
            path,
            format_args!("auth.{key} of profile `{profile}` names ${var}, which is not set"),
            &format!("Export {var} before starting phonedeck."),
        )),
    }
}

impl AuthConfig {
    fn token_command(
        &self,
        path: &Path,
        profile: &str,
        argv: &[String],
    ) -> Result<TokenCommand, ConfigError> {
        let timeout = match self.token_command_timeout_secs {
            None => TokenCommand::DEFAULT_TIMEOUT,
            Some(secs @ 1..=600) => Duration::from_secs(secs),
            Some(secs) => {
                return Err(config_error(
                    path,
                    format_args!(
                        "auth.token_command_timeout_secs of profile `{profile}` is {secs}"
                    ),
                    "Give a whole number from 1 to 600.",
                ));
            }
        };
        Ok(TokenCommand {
            argv: argv.to_vec(),
            timeout,
        })
    }

    fn resolve(
        &self,
        path: &Path,
        profile: &str,
        env: &Environment,
    ) -> Result<Credentials, ConfigError> {
        let password = self.method.as_deref() == Some("password");
        if let Some(method) = self.method.as_deref().filter(|m| *m != "password") {
            return Err(config_error(
                path,
                format_args!("auth.method `{method}` of profile `{profile}` is not known"),
                "The only method is \"password\"; for tokens use token_env or token_command.",
            ));
        }
        let sources = [
            self.token_env.is_some(),
            self.token_command.is_some(),
            password,
        ];
        if sources.iter().filter(|s| **s).count() > 1 {
            return Err(config_error(
                path,
                format_args!("profile `{profile}` sets more than one token source"),
                "Keep exactly one of auth.token_env, auth.token_command and method = \"password\".",
            ));
        }
        let token = if let Some(var) = &self.token_env {
            Some(TokenSource::Env(var.clone()))
        } else if let Some(argv) = &self.token_command {
            Some(TokenSource::Command(
                self.token_command(path, profile, argv)?,
            ))
        } else if password {
            Some(TokenSource::Password(
                self.password_login(path, profile, env)?,
            ))
        } else {
            None
        };
        let access_key = match (&self.access_key_env, &self.secret_key_env) {
            (Some(ak), Some(sk)) => Some(AccessKey {
                access_key: env.var(ak).ok_or_else(|| {
                    config_error(
                        path,
                        format_args!("auth.access_key_env of profile `{profile}` names ${ak}, which is not set"),
                        &format!("Export {ak} before starting phonedeck."),
                    )
                })?,
                secret_key: secret_from_env(path, profile, "secret_key_env", sk, env)?,
                security_token: self
                    .security_token_env
                    .as_deref()
                    .map(|var| secret_from_env(path, profile, "security_token_env", var, env))
                    .transpose()?,
            }),
            (None, None) => None,
            _ => {
                return Err(config_error(
                    path,
                    format_args!("profile `{profile}` sets only one of access_key_env and secret_key_env"),
                    "Set both, or neither.",
                ));
            }
        };
        if self.security_token_env.is_some() && access_key.is_none() {
            return Err(config_error(
                path,
                format_args!("profile `{profile}` sets security_token_env without an access key"),
                "A security token belongs to temporary AK/SK credentials: set access_key_env and secret_key_env too.",
            ));
        }
        if token.is_none() && access_key.is_none() {
            return Err(config_error(
                path,
                format_args!("profile `{profile}` has no credentials"),
                "Set auth.token_env, auth.token_command, method = \"password\" with user, domain, password_env and project, or access_key_env and secret_key_env (AK/SK serve every service).",
            ));
        }
        Ok(Credentials { token, access_key })
    }

    fn password_login(
        &self,
        path: &Path,
        profile: &str,
        env: &Environment,
    ) -> Result<PasswordLogin, ConfigError> {
        let field = |key: &str, value: &Option<String>| {
            value.clone().ok_or_else(|| {
                config_error(
                    path,
                    format_args!("method = \"password\" in profile `{profile}` needs auth.{key}"),
                    &format!("Add `{key} = \"...\"` under [profiles.{profile}.auth]."),
                )
            })
        };
        let password_env = field("password_env", &self.password_env)?;
        Ok(PasswordLogin {
            user: field("user", &self.user)?,
            domain: field("domain", &self.domain)?,
            project: field("project", &self.project)?,
            password: secret_from_env(path, profile, "password_env", &password_env, env)?,
        })
    }
}
