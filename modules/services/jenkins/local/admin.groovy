// Runs at every start (init.groovy.d): makes the SpawnIt admin account and locks Jenkins to signed-in users.
import hudson.security.FullControlOnceLoggedInAuthorizationStrategy
import hudson.security.HudsonPrivateSecurityRealm
import jenkins.model.Jenkins
import jenkins.model.JenkinsLocationConfiguration

def env = System.getenv()
def jenkins = Jenkins.get()

def realm = jenkins.getSecurityRealm()
if (!(realm instanceof HudsonPrivateSecurityRealm)) {
  realm = new HudsonPrivateSecurityRealm(false)
  jenkins.setSecurityRealm(realm)
}
if (realm.getUser(env['SPAWNIT_ADMIN_USERNAME']) == null) {
  realm.createAccount(env['SPAWNIT_ADMIN_USERNAME'], env['SPAWNIT_ADMIN_PASSWORD'])
}

def strategy = new FullControlOnceLoggedInAuthorizationStrategy()
strategy.setAllowAnonymousRead(false)
jenkins.setAuthorizationStrategy(strategy)

JenkinsLocationConfiguration.get().setUrl(env['SPAWNIT_URL'])
jenkins.save()
