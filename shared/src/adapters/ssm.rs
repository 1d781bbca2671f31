//! Secrets kept as SSM SecureString parameters, read once at start-up so they never sit in
//! plain configuration.

pub async fn secure_string(client: &aws_sdk_ssm::Client, name: &str) -> Result<Vec<u8>, String> {
    let out = client
        .get_parameter()
        .name(name)
        .with_decryption(true)
        .send()
        .await
        .map_err(|e| aws_sdk_ssm::error::DisplayErrorContext(e).to_string())?;
    out.parameter
        .and_then(|p| p.value)
        .filter(|v| !v.is_empty())
        .map(String::into_bytes)
        .ok_or_else(|| "the parameter is empty".to_owned())
}
