"""The frontend app renders every page of nnweb and hosts the TypeScript sources."""
