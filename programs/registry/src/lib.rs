use anchor_lang::prelude::*;
declare_id!("REGyj5nW4w4Q9dV2xRoL6V3QKJm6NYt1WbzQ6nH2Jk1");
#[program]
pub mod registry {
    use super::*;
    pub fn initialize(_ctx: Context<Initialize>) -> Result<()> { Ok(()) }
}
#[derive(Accounts)]
pub struct Initialize {}
